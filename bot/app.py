"""The python-telegram-bot Application: handlers, commands, rate limiting."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.handlers import Handlers
from bot.runtime import Runtime

COMMANDS = [
    BotCommand("start", "Start here"),
    BotCommand("newplan", "Set a new learning goal"),
    BotCommand("plan", "Show your plan"),
    BotCommand("timezone", "Change your time zone"),
    BotCommand("cancel", "Stop what we're doing"),
    BotCommand("help", "What I can do"),
]


def build_application(runtime: Runtime, *, token: str, base_url: str) -> Application:
    base = base_url.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"
    application = (
        Application.builder()
        .token(token)
        .base_url(base)
        .base_file_url(file_base)
        .rate_limiter(AIORateLimiter(max_retries=5))
        .concurrent_updates(64)
        .build()
    )
    handlers = Handlers(runtime.service)
    application.bot_data["handlers"] = handlers
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    # Edited messages are ignored by design: re-reading an edited "done" would count it twice.
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, handlers.on_message))
    application.add_handler(PollAnswerHandler(handlers.on_poll_answer))
    application.add_error_handler(handlers.on_error)
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER]


async def start_polling(application: Application, *, poll_timeout: float = 10) -> None:
    """Initialize, register the commands, and start long polling."""
    await application.initialize()
    await application.bot.set_my_commands(COMMANDS)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        allowed_updates=ALLOWED_UPDATES, timeout=int(poll_timeout), poll_interval=0
    )


async def stop_polling(application: Application) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
