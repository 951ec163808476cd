"""A progress message: sent once, then edited in place ("weeks 1–4 ready" → "1–8")."""

from __future__ import annotations

import functools
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.delivery import Delivery
from bot.render import escape

log = logging.getLogger(__name__)


class ProgressMessage:
    """Report progress of one turn in a single chat message, sent and edited through the
    turn's `Delivery` like its replies (429 waits, 5xx and connection errors back off, a
    timed-out send is retried once and counted). Failures that remain only lose the
    progress note, never the turn."""

    def __init__(self, bot: Bot, chat_id: int, delivery: Delivery) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.delivery = delivery
        self.message_id: int | None = None
        self.text: str | None = None

    async def __call__(self, text: str) -> None:
        if text == self.text:
            return
        html = escape(text[:4000])
        try:
            if self.message_id is None:
                send = functools.partial(
                    self.bot.send_message, self.chat_id, html, parse_mode=ParseMode.HTML
                )
                self.message_id = (await self.delivery.send(send)).message_id
            else:
                edit = functools.partial(
                    self.bot.edit_message_text,
                    html,
                    chat_id=self.chat_id,
                    message_id=self.message_id,
                    parse_mode=ParseMode.HTML,
                )
                await self.delivery.send(edit)
            self.text = text
        except TelegramError as exc:
            log.warning("could not show progress in chat %s: %s", self.chat_id, exc)
