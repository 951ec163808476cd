"""The python-telegram-bot Application: handlers, commands, rate limiting."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, MenuButtonDefault, MenuButtonWebApp, Update, WebAppInfo
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.handlers import Handlers
from bot.ordering import ChatOrder, resume_turns
from bot.runtime import Runtime
from bot.webapp import MENU_TEXT, app_url
from scheduler.runner import ReminderRunner

COMMANDS = [
    BotCommand("start", "Start here"),
    BotCommand("newplan", "Set a new learning goal"),
    BotCommand("plan", "Show your plan"),
    BotCommand("progress", "Your progress, streak and chart"),
    BotCommand("done", "Mark the current module done"),
    BotCommand("log", "Log study time, e.g. /log 1h30 LoRA"),
    BotCommand("quiz", "This week's quiz (/quiz 2 for week 2)"),
    BotCommand("today", "Today's study sessions"),
    BotCommand("reminders", "Reminder settings"),
    BotCommand("remind", "A custom reminder, e.g. /remind weekdays 07:30"),
    BotCommand("calendar", "Your study sessions in your calendar"),
    BotCommand("timezone", "Change your time zone"),
    BotCommand("export", "All your data as a file"),
    BotCommand("forget", "Delete all your data"),
    BotCommand("cancel", "Stop what we're doing"),
    BotCommand("help", "What I can do"),
]


def build_application(
    runtime: Runtime, *, token: str, base_url: str, read_timeout: float | None = None
) -> Application:
    base = base_url.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"
    builder = (
        Application.builder()
        .token(token)
        .base_url(base)
        .base_file_url(file_base)
        .rate_limiter(AIORateLimiter(max_retries=5))
        .concurrent_updates(ChatOrder(runtime.service.context.store, 64))
    )
    if read_timeout is not None:
        builder = builder.read_timeout(read_timeout).write_timeout(read_timeout)
    application = builder.build()
    url = app_url(runtime.settings.public_url)
    handlers = Handlers(runtime.service, app_url=url)
    application.bot_data["handlers"] = handlers
    application.bot_data["app_url"] = url

    async def send_reminder(chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> list[int]:
        return await handlers.send_replies(application.bot, chat_id, user_id, replies)

    runtime.reminders.attach(send_reminder)
    application.bot_data["reminders"] = runtime.reminders
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    # Edited messages are ignored by design: re-reading an edited "done" would count it twice.
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, handlers.on_message))
    application.add_handler(PollAnswerHandler(handlers.on_poll_answer))
    application.add_error_handler(handlers.on_error)
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER]


async def set_menu_button(application: Application) -> None:
    """The chat's menu button opens the Mini App when it has an HTTPS address; otherwise
    it is Telegram's default (the command list), so no stale address stays behind."""
    url = application.bot_data.get("app_url")
    button = MenuButtonWebApp(MENU_TEXT, WebAppInfo(url)) if url else MenuButtonDefault()
    await application.bot.set_chat_menu_button(menu_button=button)


async def start_reminders(application: Application, *, background: bool = True) -> None:
    """Start the reminder runner: catch up on what fell due while stopped, then tick.
    Without ``background`` the catch-up finishes first and its report is kept in
    ``bot_data["reminders_report"]``."""
    runner: ReminderRunner = application.bot_data["reminders"]
    application.bot_data["reminders_report"] = await runner.start(background=background)


async def stop_reminders(application: Application) -> None:
    runner: ReminderRunner | None = application.bot_data.get("reminders")
    if runner is not None:
        await runner.stop()


async def start_polling(
    application: Application, *, poll_timeout: float = 10, catch_up_in_background: bool = True
) -> None:
    """Initialize, free the chats an earlier run left busy (`bot.ordering.resume_turns`),
    register the commands, start reminders, and start long polling."""
    await application.initialize()
    await resume_turns(application)
    await application.bot.set_my_commands(COMMANDS)
    await set_menu_button(application)
    await application.start()
    await start_reminders(application, background=catch_up_in_background)
    assert application.updater is not None
    await application.updater.start_polling(
        allowed_updates=ALLOWED_UPDATES, timeout=int(poll_timeout), poll_interval=0
    )


async def stop_polling(application: Application) -> None:
    await stop_reminders(application)
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
