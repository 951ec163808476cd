"""The `learnplan` command: `run` (Telegram, long polling), `chat` (terminal) and
`understand` (what the bot understands, JSON lines in and out)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings
from storage.engine import StorageError

if TYPE_CHECKING:
    from bot.runtime import Runtime

LOCAL_USER_ID = 1


def _fail(message: str) -> int:
    print(f"learnplan: {message}", file=sys.stderr)
    return 2


async def _run_bot(settings: Settings, *, webhook: bool = False) -> None:
    from bot.app import build_application, start_polling, stop_polling
    from bot.http_server import serve_http
    from bot.runtime import open_runtime
    from bot.webapp.server import mini_app_for
    from bot.webhook import serve_webhook

    assert settings.telegram_bot_token is not None
    log = logging.getLogger(__name__)
    async with open_runtime(settings) as runtime:
        application = build_application(
            runtime,
            token=settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_base_url,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if webhook:
            assert settings.public_url is not None
            secret = settings.telegram_webhook_secret
            async with serve_webhook(
                application,
                runtime.store,
                listen=settings.http_listen,
                public_url=settings.public_url,
                secret=secret.get_secret_value() if secret is not None else None,
                webapp=mini_app_for(runtime),
            ):
                await stop.wait()
            return
        async with contextlib.AsyncExitStack() as stack:
            if settings.public_url:
                await stack.enter_async_context(
                    serve_http(
                        runtime.store, listen=settings.http_listen, webapp=mini_app_for(runtime)
                    )
                )
            await start_polling(application)
            log.info("learnplan is running (long polling)")
            try:
                await stop.wait()
            finally:
                await stop_polling(application)


async def _chat(settings: Settings, *, web: bool = False, port: int = 0) -> None:
    from bot.runtime import open_runtime
    from bot.terminal import Terminal, terminal_reminders

    async with open_runtime(settings) as runtime, contextlib.AsyncExitStack() as stack:
        terminal = Terminal(runtime.service, settings.data_dir, LOCAL_USER_ID)
        await stack.enter_async_context(
            terminal_reminders(runtime, terminal, lambda text: print(text, flush=True))
        )
        loop = asyncio.get_running_loop()
        interactive = sys.stdin.isatty()
        if web:
            url = await stack.enter_async_context(_web_page(runtime, port))
            print(f"Mini App for this chat (opens once, from this machine only): {url}", flush=True)
        if interactive:
            print("learnplan chat — type your goal, /help for help, Ctrl-D to quit.")
        while True:
            if interactive:
                print("> ", end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            replies = await runtime.service.handle(terminal.event_for(text))
            for block in await terminal.show(replies):
                print(block)
                print()


@contextlib.asynccontextmanager
async def _web_page(runtime: Runtime, port: int) -> AsyncIterator[str]:
    """Serve the Mini App on loopback for the terminal user; yields its one-time URL."""
    from bot.http_server import HttpServer
    from bot.webapp.auth import DevSessions, WebUser
    from bot.webapp.server import mini_app_for

    dev = DevSessions(WebUser(id=LOCAL_USER_ID, first_name="you"))
    server = HttpServer(runtime.store, webapp=mini_app_for(runtime, dev=dev))
    await server.start("127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{server.port}/app/?dev={dev.new_token()}"
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="learnplan", description="A personal learning planner.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the Telegram bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook on LEARNPLAN_HTTP_LISTEN (needs LEARNPLAN_PUBLIC_URL)",
    )
    chat = sub.add_parser("chat", help="talk to the planner in this terminal")
    chat.add_argument(
        "--web",
        action="store_true",
        help="also serve the Mini App on 127.0.0.1 and print its one-time URL",
    )
    chat.add_argument("--port", type=int, default=0, help="port for --web (default: any free)")
    understand = sub.add_parser(
        "understand", help="read JSON lines on stdin, write what each message means"
    )
    understand.add_argument(
        "--rules", action="store_true", help="use the rules even when an LLM is configured"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "understand":
        from agent.understanding.service import make_understanding
        from bot.understand import run as run_understand

        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
        return run_understand(make_understanding(settings, rules_only=args.rules)[0])
    if args.command == "chat":
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        if args.command == "run":
            if settings.telegram_bot_token is None:
                return _fail("missing setting TELEGRAM_BOT_TOKEN (the token from @BotFather)")
            if args.webhook and settings.public_url is None:
                return _fail(
                    "missing setting LEARNPLAN_PUBLIC_URL (the https address Telegram posts to)"
                )
            from bot.http_server import HttpServerError

            try:
                asyncio.run(_run_bot(settings, webhook=args.webhook))
            except HttpServerError as exc:
                return _fail(str(exc))
        else:
            from bot.http_server import HttpServerError

            try:
                asyncio.run(_chat(settings, web=args.web, port=args.port))
            except HttpServerError as exc:
                return _fail(str(exc))
    except StorageError as exc:
        return _fail(f"storage: {exc}")
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
