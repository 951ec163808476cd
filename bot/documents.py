"""A document the user sent (a syllabus) → an agent event carrying its units, or an error.

The file is checked by the size Telegram reports before it is downloaded, read into
memory and parsed off the event loop; only the small list of units enters the event
(and so the checkpoint), never the file.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, Document
from telegram.error import TelegramError

from agent.syllabus import MAX_BYTES, SyllabusError, extract_units, supported

log = logging.getLogger(__name__)


async def document_event(bot: Bot, document: Document, base: dict[str, Any]) -> dict[str, Any]:
    name = document.file_name or "document"
    event: dict[str, Any] = {**base, "kind": "document", "text": "", "file_name": name}
    if document.file_size is not None and document.file_size > MAX_BYTES:
        return {**event, "error": "too_big"}
    if not supported(name):
        return {**event, "error": "wrong_type"}
    try:
        file = await bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        units = await asyncio.to_thread(extract_units, data, name)
    except SyllabusError as exc:
        return {**event, "error": exc.code}
    except TelegramError as exc:
        log.warning("could not download %s: %s", name, exc)
        return {**event, "error": "pdf_unreadable"}
    return {**event, "units": [u.model_dump() for u in units]}
