"""Inline keyboards whose callback data names its owner.

Callback data is ``"<data>|<owner user id>"``, at most 64 bytes. It is never
trusted: `decode` rejects anything malformed, over-long or pressed by someone
other than the owner.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.render import Button

MAX_CALLBACK_BYTES = 64


def encode(data: str, owner: int) -> str:
    value = f"{data}|{owner}"
    if len(value.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {value!r}")
    return value


def decode(raw: str | None, presser: int) -> str | None:
    """The button's data if `presser` owns it, else None."""
    if not raw or len(raw.encode()) > MAX_CALLBACK_BYTES or "|" not in raw:
        return None
    data, _, owner = raw.rpartition("|")
    if not owner.isdigit() or int(owner) != presser or not data:
        return None
    return data


def inline_keyboard(
    rows: list[list[Button]], owner: int, *, web_app: tuple[str, str] | None = None
) -> InlineKeyboardMarkup | None:
    """The buttons, and with ``web_app`` (label, HTTPS url) a last row opening the Mini App."""
    keyboard = [
        [InlineKeyboardButton(b.label[:64], callback_data=encode(b.data, owner)) for b in row]
        for row in rows
    ]
    if web_app is not None:
        keyboard.append([InlineKeyboardButton(web_app[0], web_app=WebAppInfo(web_app[1]))])
    return InlineKeyboardMarkup(keyboard) if keyboard else None
