"""Telegram handlers: every update becomes one agent event; replies go back as HTML."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import Any

from telegram import (
    Bot,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    Poll,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError, TimedOut
from telegram.ext import ContextTypes

from agent import texts
from agent.service import AgentService
from bot.delivery import Delivery
from bot.documents import document_event
from bot.events import text_event
from bot.keyboards import decode, inline_keyboard
from bot.progress_message import ProgressMessage
from bot.render import escape, render_reply, split_message
from bot.webapp import OPEN_LABEL
from storage.chat_turns import chat_turn
from storage.engine import StorageError

log = logging.getLogger(__name__)

# "typing…" shows only when a turn is slow enough to notice, then every 4 s
# (Telegram shows it for 5 s); instant replies do not spend rate limit on it.
TYPING_AFTER_S = 0.3
TYPING_EVERY_S = 4.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_CAPTION = 1024
NOT_TEXT = (
    "I can only read text messages, a shared location for your time zone, and course "
    "outlines as .txt, .md or .pdf files."
)
PRIVATE_ONLY = "I work in private chats — message me directly to plan your learning."
BUTTON_NOT_YOURS = "That button isn't for you."
BUTTON_EXPIRED = "That button has expired."
APP_PAGES = frozenset({"plan", "calendar", "progress", "settings"})
UNDELIVERED = (
    "Sorry — Telegram refused part of my answer, so you didn't get all of it. Please try again."
)
UNDELIVERED_QUIZ = (
    "Sorry — Telegram refused the quiz poll, so the quiz wasn't sent. "
    "Please try /quiz again in a moment."
)


class Undelivered(TelegramError):
    """A reply of a turn could not be delivered, even after the retries."""

    def __init__(self, reply: dict[str, Any], cause: TelegramError) -> None:
        super().__init__(str(cause))
        self.reply = reply


class Handlers:
    def __init__(self, service: AgentService, *, app_url: str | None = None) -> None:
        self.service = service
        self.delivery = Delivery()
        # The Mini App's HTTPS address: replies marked "app" get an "📅 Open plan" button.
        self.app_url = app_url

    # ---- entry points ---------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        chat = update.effective_chat
        if message is None or user is None or chat is None:
            return
        if chat.type != ChatType.PRIVATE:
            if message.text and message.text.startswith("/"):
                await message.reply_text(PRIVATE_ONLY)
            return
        if message.document is not None:
            base = {"user_id": user.id, "chat_id": chat.id, "name": user.first_name}
            event: dict[str, Any] | None = await document_event(context.bot, message.document, base)
        else:
            event = self._event_from_message(message, user.id, chat.id, user.first_name)
        if event is None:
            await context.bot.send_message(chat.id, NOT_TEXT)
            return
        await self._dispatch(context, chat.id, user.id, event)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.from_user is None:
            return
        data = decode(query.data, query.from_user.id)
        message = query.message
        if (
            data is None
            or message is None
            or message.chat.type != ChatType.PRIVATE
            or message.chat.id != query.from_user.id
        ):
            with contextlib.suppress(TelegramError):
                await query.answer(BUTTON_NOT_YOURS if data is None else BUTTON_EXPIRED)
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        event = {
            "kind": "callback",
            "data": data,
            "text": "",
            "user_id": query.from_user.id,
            "chat_id": message.chat.id,
            "name": query.from_user.first_name,
        }
        await self._dispatch(context, message.chat.id, query.from_user.id, event)

    async def on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        answer = update.poll_answer
        if answer is None or answer.user is None:
            return
        user = answer.user
        event = {
            "kind": "poll_answer",
            "poll_id": answer.poll_id,
            "option_ids": list(answer.option_ids),
            "text": "",
            "user_id": user.id,
            "chat_id": user.id,
            "name": user.first_name,
        }
        await self._dispatch(context, user.id, user.id, event)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("unhandled error for update %s", update, exc_info=context.error)

    # ---- internals --------------------------------------------------------------

    @staticmethod
    def _event_from_message(
        message: Any, user_id: int, chat_id: int, name: str | None
    ) -> dict[str, Any] | None:
        base = {"user_id": user_id, "chat_id": chat_id, "name": name}
        if message.location is not None:
            return {
                **base,
                "kind": "location",
                "text": "",
                "latitude": message.location.latitude,
                "longitude": message.location.longitude,
            }
        if not message.text:
            return None
        return text_event(message.text, user_id=user_id, chat_id=chat_id, name=name)

    async def _dispatch(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int, event: dict[str, Any]
    ) -> None:
        # `bot.ordering.ChatOrder` runs one update of a chat at a time, replies included,
        # so a turn's replies never arrive after the next turn's; the chat's turn lease
        # (several instances) is re-entered here and held until the replies are sent.
        async with contextlib.AsyncExitStack() as turn:
            try:
                await turn.enter_async_context(chat_turn(self.service.context.store, chat_id))
                async with self._typing(context, chat_id):
                    replies = await self.service.handle(
                        event, progress=ProgressMessage(context.bot, chat_id, self.delivery)
                    )
            except StorageError:
                log.exception("storage failed for chat %s", chat_id)
                replies = [{"kind": "text", "text": texts.STORAGE_ERROR}]
            except Exception:
                log.exception("agent failed for chat %s", chat_id)
                replies = [{"kind": "text", "text": texts.ERROR}]
            try:
                await self.send_replies(context.bot, chat_id, user_id, replies, retry=True)
            except Undelivered as exc:
                log.error("could not deliver a reply to chat %s: %s", chat_id, exc)
                refused = isinstance(exc.__cause__, BadRequest)
                await self._apologize(context.bot, chat_id, exc.reply, refused=refused)

    async def _apologize(
        self, bot: Bot, chat_id: int, failed: dict[str, Any], *, refused: bool
    ) -> None:
        """Tell the user a reply did not arrive (plain text, nothing that could be refused).

        After a refusal (bad request) the apology gets the usual retries; when Telegram
        stayed unreachable through them, it gets one try only.
        """
        text = UNDELIVERED_QUIZ if failed.get("kind") == "poll" else UNDELIVERED
        send = functools.partial(bot.send_message, chat_id, text)
        try:
            await (self.delivery.send(send) if refused else send())
        except TelegramError:
            log.exception("could not apologize to chat %s either", chat_id)

    async def send_replies(
        self,
        bot: Bot,
        chat_id: int,
        user_id: int,
        replies: list[dict[str, Any]],
        *,
        retry: bool = False,
    ) -> list[int]:
        """Send the agent's replies in order; raises TelegramError if Telegram refuses one.
        Returns the ids of the messages Telegram accepted.

        With ``retry`` (answers to the user's own messages), transient failures are
        retried here, and a reply that still fails raises `Undelivered` (the rest of
        the turn is not sent); reminders have their own, persistent retry policy instead.
        A reply whose retry timed out too is unconfirmed, not failed: Telegram may well
        have it (see `bot.delivery`), so it is neither sent again nor apologised for, and
        the turn's later replies still go out, in order.
        """
        accepted: list[int] = []
        for reply in replies:
            send = functools.partial(self._send_one, bot, chat_id, user_id, reply)
            if not retry:
                message = await send()
            else:
                try:
                    message = await self.delivery.send(send)
                except TimedOut:
                    log.warning("reply to chat %s unconfirmed after a retry; going on", chat_id)
                    continue
                except TelegramError as exc:
                    raise Undelivered(reply, exc) from exc
            if message is not None:
                accepted.append(message.message_id)
            if reply.get("notify") and message is not None:
                await self.service.reply_sent(reply, message.to_dict())
        return accepted

    async def _send_one(
        self, bot: Bot, chat_id: int, user_id: int, reply: dict[str, Any]
    ) -> Message | None:
        kind = reply.get("kind")
        caption = escape(str(reply.get("caption", "")))[:MAX_CAPTION] or None
        if kind == "document":
            document = InputFile(reply["data"], filename=str(reply["filename"]))
            if reply.get("mime_type"):
                document.mimetype = str(reply["mime_type"])
            return await bot.send_document(
                chat_id, document, caption=caption, parse_mode=ParseMode.HTML
            )
        if kind == "photo":
            photo = InputFile(reply["data"], filename=str(reply.get("filename", "chart.png")))
            return await bot.send_photo(chat_id, photo, caption=caption, parse_mode=ParseMode.HTML)
        if kind == "poll":
            correct = reply.get("correct_index")
            return await bot.send_poll(
                chat_id,
                question=str(reply["question"]),
                options=[str(o) for o in reply["options"]],
                is_anonymous=False,
                type=Poll.QUIZ if correct is not None else Poll.REGULAR,
                correct_option_ids=[correct] if correct is not None else None,
                explanation=reply.get("explanation") or None,
            )
        out = render_reply(reply)
        parts = split_message(out.html)
        message: Message | None = None
        for index, part in enumerate(parts):
            markup: Any = None
            if index == len(parts) - 1:
                if out.request_location:
                    markup = ReplyKeyboardMarkup(
                        [[KeyboardButton("📍 Share my location", request_location=True)]],
                        one_time_keyboard=True,
                        resize_keyboard=True,
                    )
                else:
                    markup = inline_keyboard(out.buttons, user_id, web_app=self._app_button(reply))
            message = await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )
        return message

    def _app_button(self, reply: dict[str, Any]) -> tuple[str, str] | None:
        """(label, url) of the Mini App button for a reply marked ``"app": <page>``."""
        if not self.app_url or reply.get("app") not in APP_PAGES:
            return None
        return OPEN_LABEL, f"{self.app_url}?page={reply['app']}"

    @contextlib.asynccontextmanager
    async def _typing(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int
    ) -> AsyncIterator[None]:
        async def keep_typing() -> None:
            await asyncio.sleep(TYPING_AFTER_S)
            while True:
                with contextlib.suppress(TelegramError):
                    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(TYPING_EVERY_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
