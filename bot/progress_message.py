"""A progress message: sent once, then edited in place ("weeks 1–4 ready" → "1–8")."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.render import escape

log = logging.getLogger(__name__)


class ProgressMessage:
    """Report progress of one turn in a single chat message. Failures to send or edit
    only lose the progress note, never the turn."""

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.message_id: int | None = None
        self.text: str | None = None

    async def __call__(self, text: str) -> None:
        if text == self.text:
            return
        html = escape(text[:4000])
        try:
            if self.message_id is None:
                message = await self.bot.send_message(self.chat_id, html, parse_mode=ParseMode.HTML)
                self.message_id = message.message_id
            else:
                await self.bot.edit_message_text(
                    html,
                    chat_id=self.chat_id,
                    message_id=self.message_id,
                    parse_mode=ParseMode.HTML,
                )
            self.text = text
        except TelegramError as exc:
            log.warning("could not show progress in chat %s: %s", self.chat_id, exc)
