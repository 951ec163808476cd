"""A local stand-in for the Telegram Bot API, over real HTTP on 127.0.0.1.

python-telegram-bot is pointed at it by its base URL. It answers the methods
the bot uses, records every call, feeds updates through ``getUpdates`` and is
strict where Telegram is: HTML entities are parsed, and the 4096 / 1024 / 64
limits are enforced. A fault hook can make any call answer 429 or 5xx, hang, answer
slowly ("slow"), or accept the call and answer only after the client gave up ("late":
when it closes the connection, or after ``late_seconds``).

Several bot processes can share one stand-in: each gets its own base URL
(`base_url_via`), and every call records which one it came through (``Call.via``).
A ``gate`` coroutine, when set, is awaited as each call arrives, before it is
handled: a Telegram that is slow in ways a test controls.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_ID = 7_000_000_001
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip


class EntityError(ValueError):
    pass


class _StrictHTML(HTMLParser):
    """Telegram's HTML rules: known tags only, properly nested, entities escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityError(f'can\'t parse entities: unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'can\'t parse entities: unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise EntityError("can't parse entities: unescaped < or >")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            raise EntityError(f"can't parse entities: unknown entity &{name};")
        self.text.append(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(unescape(f"&#{name};"))


BUTTON_KINDS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
MENU_BUTTON_TYPES = frozenset({"default", "commands", "web_app"})
# How often an exact wait re-reads `bot_busy` (which has no event to wait on).
EXACT_POLL_S = 0.01


def _check_web_app(info: Any) -> None:
    """A WebAppInfo: an HTTPS url, or Telegram answers BUTTON_URL_INVALID."""
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > 2048:
        raise EntityError("BUTTON_URL_INVALID")


_BARE_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message, or EntityError."""
    if _BARE_AMP.search(text):
        raise EntityError("can't parse entities: unescaped &")
    parser = _StrictHTML()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise EntityError(f'can\'t parse entities: unclosed tag "{parser.stack[-1]}"')
    return "".join(parser.text)


def _gone(request: web.Request) -> bool:
    """The client closed the connection (it timed out)."""
    return request.transport is None or request.transport.is_closing()


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    message_id: int | None = None
    late: bool = False
    via: str = ""


Fault = Callable[[str, dict[str, Any]], "str | None"]


class FakeTelegramAPI:
    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.rejected: list[tuple[Call, str]] = []
        self.fault: Fault | None = None
        # awaited before a call (not getUpdates) is answered: a test holds calls on it
        self.gate: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
        self.listeners: list[Callable[[Call], None]] = []
        self.slow_seconds = 0.3
        self.late_seconds = 2.5
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        # (chat id, message id) → text of every message the bot sent, for editMessageText.
        self.message_texts: dict[tuple[int, int], str] = {}
        # file_id → bytes of the documents users sent, served by getFile + /file/bot….
        self.files: dict[str, bytes] = {}
        self._new_update = asyncio.Event()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Set by the harness that runs the bot in-process: true while the bot still has
        # updates queued or in a handler. Without it, "quiet for a moment" is only a guess,
        # and on a busy machine a slow turn looks finished (see `wait_quiet`).
        self.bot_busy: Callable[[], bool] | None = None
        self.menu_button: dict[str, Any] | None = None

    # ---- lifecycle ----------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def base_url_via(self, via: str) -> str:
        """The base URL for one of several bot processes; its calls carry ``via``."""
        return f"http://127.0.0.1:{self.port}/via/{via}/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_post("/via/{via}/bot{token}/{method}", self._handle)
        app.router.add_get("/via/{via}/bot{token}/{method}", self._handle)
        app.router.add_get("/via/{via}/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- feeding updates --------------------------------------------------------

    def _user(self, user_id: int, name: str | None = None) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name or f"User{user_id}"}

    def _push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    def send_text(
        self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> int:
        return self._push(self.text_message(user_id, text, chat_id=chat_id, chat_type=chat_type))

    def text_update(self, user_id: int, text: str) -> dict[str, Any]:
        """A text message update with its own update id, to POST to a webhook."""
        return {"update_id": next(self._update_ids), **self.text_message(user_id, text)}

    def text_message(
        self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> dict[str, Any]:
        chat = {"id": chat_id or user_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{user_id}"
        else:
            chat["title"] = "A group"
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": message}

    def send_message_update(self, user_id: int, message_fields: dict[str, Any]) -> int:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": f"User{user_id}"},
            "from": self._user(user_id),
            **message_fields,
        }
        return self._push({"message": message})

    def send_document(
        self,
        user_id: int,
        file_name: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        file_size: int | None = None,
    ) -> int:
        """A document message; `file_size` overrides the reported size (e.g. to claim a
        file too big to download)."""
        file_id = f"doc-{len(self.files) + 1}"
        self.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type or "application/octet-stream",
            "file_size": len(data) if file_size is None else file_size,
        }
        return self.send_message_update(user_id, {"document": document})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    def send_location(self, user_id: int, latitude: float, longitude: float) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self.send_message_update(user_id, {"location": location})

    def press(
        self, user_id: int, data: str, *, chat_id: int | None = None, message_id: int = 1
    ) -> int:
        chat = {"id": chat_id or user_id, "type": "private"}
        return self._push(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "from": self._user(user_id),
                    "chat_instance": str(chat["id"]),
                    "data": data,
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": chat,
                        "from": {"id": BOT_ID, "is_bot": True, "first_name": "learnplan"},
                        "text": "…",
                    },
                }
            }
        )

    def pending_updates(self) -> int:
        return len(self._updates)

    # ---- what the bot sent -----------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and c.status == 200
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.sent(chat_id)]

    def web_app_buttons(self, call: Call) -> list[tuple[str, str]]:
        """(label, url) of the buttons on a sent message that open a Mini App."""
        markup = call.params.get("reply_markup")
        data = (json.loads(markup) if isinstance(markup, str) else markup) or {}
        return [
            (b["text"], b["web_app"]["url"])
            for row in data.get("inline_keyboard", [])
            for b in row
            if "web_app" in b
        ]

    def buttons(self, call: Call) -> list[tuple[str, str]]:
        markup = call.params.get("reply_markup")
        if not markup:
            return []
        data = json.loads(markup) if isinstance(markup, str) else markup
        return [
            (b["text"], b.get("callback_data", ""))
            for row in data.get("inline_keyboard", [])
            for b in row
        ]

    def settled(self) -> bool:
        """Every update was taken and, when `bot_busy` is known, finished handling."""
        return not self._updates and not (self.bot_busy is not None and self.bot_busy())

    async def wait_settled(self, *, limit: float = 30) -> None:
        """Wait until `settled` (exact only with `bot_busy`): for checks that the bot sent
        nothing more, instead of sleeping and hoping the turn is over."""
        deadline = time.monotonic() + limit
        while not self.settled():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"the bot was still busy after {limit}s")
            await asyncio.sleep(EXACT_POLL_S)

    async def wait_quiet(
        self, chat_id: int, since: int, *, quiet: float | None = None, limit: float = 30
    ):
        """Wait until the bot has sent something to `chat_id` after call index `since`,
        has taken every update, has finished handling them and then stayed quiet for
        `quiet` seconds. Returns the new sendMessage calls.

        With `bot_busy` (the bot runs in-process) "finished" is exact, so by default
        nothing more is waited for. Without it (a bot in another process) the end of a
        turn is only guessed from `quiet` seconds without a call (0.25 by default)."""
        exact = self.bot_busy is not None
        hold = quiet if quiet is not None else (0.0 if exact else 0.25)
        step = EXACT_POLL_S if exact else hold / 2
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            new = [
                c
                for c in self.calls[since:]
                if str(c.params.get("chat_id")) == str(chat_id)
                and c.method not in {"sendChatAction", "answerCallbackQuery"}
            ]
            if new and self.settled() and time.monotonic() - self.calls[-1].at >= hold:
                return [c for c in new if c.status == 200]
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=step)
            except TimeoutError:
                pass
        raise TimeoutError(f"the bot sent nothing to chat {chat_id} in {limit}s")

    # ---- HTTP --------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:  # type: ignore[union-attr]
                    files[part.name or "file"] = await part.read()  # type: ignore[union-attr]
                else:
                    params[part.name or ""] = await part.text()  # type: ignore[union-attr]
        elif request.can_read_body:
            if request.content_type == "application/json":
                params = await request.json()
            else:
                params = dict(await request.post())
        params.update(request.query)
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params, files = await self._params(request)
        call = Call(method, params, files, via=request.match_info.get("via", ""))
        if method != "getUpdates" and self.gate is not None:
            await self.gate(method, params)
        fault = None
        if method != "getUpdates" and self.fault is not None:
            fault = self.fault(method, params)
            if fault == "slow":
                await asyncio.sleep(self.slow_seconds)
            elif fault not in {None, "late"}:
                return await self._faulty(call, fault)
        if method == "getUpdates":
            return await self._get_updates(params)
        self.calls.append(call)
        self._changed.set()
        for listener in self.listeners:
            listener(call)
        try:
            result = self._answer(call)
        except EntityError as exc:
            call.status = 400
            self.rejected.append((call, str(exc)))
            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, status=400
            )
        if fault == "late":  # accepted, but answered only once the client has given up
            call.late = True
            for _ in range(max(1, round(self.late_seconds / 0.05))):
                if _gone(request):
                    break
                await asyncio.sleep(0.05)
        return web.json_response({"ok": True, "result": result})

    async def _faulty(self, call: Call, fault: str) -> web.Response:
        call.status = 0
        self.calls.append(call)
        self._changed.set()
        if fault == "429":
            call.status = 429
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        if fault == "400":
            call.status = 400
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: refused"},
                status=400,
            )
        if fault == "hang":
            await asyncio.sleep(3600)
        call.status = 502
        return web.json_response(
            {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
        )

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=timeout)
            except TimeoutError:
                pass
        batch = [u for u in self._updates if u["update_id"] >= offset][:100]
        return web.json_response({"ok": True, "result": batch})

    def _check_text(self, text: str, limit: int, what: str) -> None:
        visible = parse_html(text)
        if not visible.strip():
            raise EntityError(f"{what} is empty")
        if len(visible) > limit:
            raise EntityError(f"{what} is too long")

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if not markup:
            return
        data = json.loads(markup) if isinstance(markup, str) else markup
        for row in data.get("inline_keyboard", []):
            for button in row:
                kinds = [k for k in BUTTON_KINDS if k in button]
                if len(kinds) != 1:
                    raise EntityError("BUTTON_TYPE_INVALID")
                raw = button.get("callback_data")
                if raw is not None and not 1 <= len(raw.encode()) <= 64:
                    raise EntityError("BUTTON_DATA_INVALID")
                if "web_app" in button:
                    _check_web_app(button["web_app"])

    def _menu_button(self, params: dict[str, Any]) -> bool:
        """setChatMenuButton: "default", "commands" or a "web_app" with text and an
        HTTPS url, as Telegram requires."""
        raw = params.get("menu_button")
        button = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(button, dict) or button.get("type") not in MENU_BUTTON_TYPES:
            raise EntityError("BUTTON_TYPE_INVALID")
        if button["type"] == "web_app":
            if not str(button.get("text") or "").strip():
                raise EntityError("BUTTON_TEXT_INVALID")
            _check_web_app(button.get("web_app"))
        self.menu_button = button
        return True

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message_id = next(self._message_ids)
        self.calls[-1].message_id = message_id
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "learnplan"},
            **extra,
        }

    def _edit(self, params: dict[str, Any], text: str) -> dict[str, Any]:
        """Like Telegram: only the bot's own messages, and never to the same text."""
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self.message_texts:
            raise EntityError("message to edit not found")
        if self.message_texts[key] == text:
            raise EntityError("message is not modified")
        self.message_texts[key] = text
        self.calls[-1].message_id = key[1]
        return {
            "message_id": key[1],
            "date": int(time.time()),
            "chat": {"id": key[0], "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "learnplan"},
            "text": text,
        }

    def _answer(self, call: Call) -> Any:
        method, params = call.method, call.params
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "learnplan",
                "username": "learnplan_test_bot",
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in {"sendMessage", "editMessageText"}:
            text = str(params.get("text", ""))
            if params.get("parse_mode") == "HTML":
                self._check_text(text, 4096, "message text")
            elif not 1 <= len(text) <= 4096:
                raise EntityError("message text is empty or too long")
            self._check_markup(params)
            if method == "editMessageText":
                return self._edit(params, text)
            message = self._message(params, text=text)
            self.message_texts[(int(params.get("chat_id", 0)), message["message_id"])] = text
            return message
        if method in {"sendDocument", "sendPhoto"}:
            caption = str(params.get("caption", ""))
            if caption:
                self._check_text(caption, 1024, "caption")
            if not call.files:
                raise EntityError("there is no file in the request")
            self._check_markup(params)
            return self._message(params)
        if method == "sendPoll":
            return self._message(params, poll=self._poll(params))
        if method == "setChatMenuButton":
            return self._menu_button(params)
        if method == "getFile":
            file_id = str(params.get("file_id", ""))
            if file_id not in self.files:
                raise EntityError("wrong file_id specified")
            data = self.files[file_id]
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(data),
                "file_path": f"documents/{file_id}",
            }
        if method in {
            "sendChatAction",
            "answerCallbackQuery",
            "setMyCommands",
            "deleteWebhook",
            "setWebhook",
            "editMessageReplyMarkup",
            "deleteMessage",
            "close",
            "logOut",
        }:
            return True
        raise EntityError(f"method {method} is not supported by the stand-in")

    def _poll(self, params: dict[str, Any]) -> dict[str, Any]:
        """Bot API 10 polls: ``correct_option_ids`` (a JSON list), per-option
        ``persistent_id``, ``allows_revoting`` and ``members_only``, as PTB 22.8 expects."""
        question = str(params.get("question", ""))
        raw = params.get("options", "[]")
        options = json.loads(raw) if isinstance(raw, str) else raw
        if not 1 <= len(question) <= 300 or not 2 <= len(options) <= 12:
            raise EntityError("POLL_INVALID")
        texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
        if any(not 1 <= len(t) <= 100 for t in texts):
            raise EntityError("POLL_OPTION_INVALID")
        correct = self._correct_option(params, len(texts))
        explanation = str(params.get("explanation", "") or "")
        if len(explanation) > 200:
            raise EntityError("POLL_EXPLANATION_TOO_LONG")
        poll_id = str(next(self._message_ids))
        self.calls[-1].params["_poll_id"] = poll_id
        kind = params.get("type", "regular")
        poll: dict[str, Any] = {
            "id": poll_id,
            "question": question,
            "options": [
                {"text": t, "voter_count": 0, "persistent_id": str(i)} for i, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": str(params.get("is_anonymous", "true")).lower() == "true",
            "type": kind,
            "allows_multiple_answers": False,
            "allows_revoting": kind != "quiz",
            "members_only": False,
        }
        if correct is not None:
            poll["correct_option_ids"] = [correct]
        return poll

    @staticmethod
    def _correct_option(params: dict[str, Any], count: int) -> int | None:
        if params.get("type") != "quiz":
            return None
        raw = params.get("correct_option_ids", params.get("correct_option_id"))
        if raw is None:
            raise EntityError("POLL_CORRECT_OPTION_ID_MISSING")
        ids = json.loads(raw) if isinstance(raw, str) else raw
        ids = ids if isinstance(ids, list) else [ids]
        if len(ids) != 1 or not 0 <= int(ids[0]) < count:
            raise EntityError("POLL_CORRECT_OPTION_ID_INVALID")
        return int(ids[0])
