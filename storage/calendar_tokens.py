"""The `ical_tokens` collection: secret calendar-subscription links.

A link is ``{public_url}/calendar/{token}.ics``. The token is 256 random bits
(``secrets.token_urlsafe(32)``) and is shown to the user exactly once: only its
SHA-256 hash is stored (``token_hash``, unique index from `storage.store.ensure_indexes`),
so a leaked database does not leak working links. A request is looked up by the hash of
the presented token and the stored hash is compared with `hmac.compare_digest`.

Each user has at most one link: one document whose ``_id`` is the user id, so issuing a
new link atomically replaces the old hash (the old link stops working at once) and
revoking deletes the document. Every document carries ``user_id`` so that
`Store.forget_user` removes it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from storage.store import Store, as_utc

TOKEN_BYTES = 32
"""Random bytes per token: 256 bits, well above the 128-bit minimum."""

TOKEN_LENGTH = math.ceil(TOKEN_BYTES * 4 / 3)
"""Length of ``secrets.token_urlsafe(TOKEN_BYTES)`` (unpadded base64url)."""

_ISSUE_ATTEMPTS = 3
_TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued token (the only time it is known in clear) and what it replaced."""

    token: str
    replaced: bool


def hash_token(token: str) -> str:
    """Hex SHA-256 of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Whether ``value`` has the exact shape of an issued token (cheap pre-check)."""
    return _TOKEN_SHAPE.fullmatch(value) is not None


async def issue_token(store: Store, user_id: int) -> IssuedLink:
    """Create the user's link, or replace the existing one (which stops working)."""
    now = store.clock()

    async def op() -> IssuedLink:
        failures = 0
        while True:
            token = secrets.token_urlsafe(TOKEN_BYTES)
            try:
                before = await store.db.ical_tokens.find_one_and_update(
                    {"_id": user_id},
                    {
                        "$set": {
                            "user_id": user_id,
                            "token_hash": hash_token(token),
                            "created_at": now,
                        }
                    },
                    upsert=True,
                    return_document=ReturnDocument.BEFORE,
                )
            except DuplicateKeyError:
                # Two concurrent first issues for one user (or, astronomically unlikely,
                # a hash collision): the retry updates the document that now exists.
                failures += 1
                if failures == _ISSUE_ATTEMPTS:
                    raise
                continue
            return IssuedLink(token=token, replaced=before is not None)

    return await store.run(op)


async def link_created_at(store: Store, user_id: int) -> datetime | None:
    """When the user's current link was issued, or None if there is none."""
    doc = await store.run(store.db.ical_tokens.find_one, {"_id": user_id}, {"created_at": 1})
    return None if doc is None else as_utc(doc["created_at"])


async def revoke_token(store: Store, user_id: int) -> bool:
    """Delete the user's link. Returns False if there was none."""
    result = await store.run(store.db.ical_tokens.delete_one, {"_id": user_id})
    return result.deleted_count == 1


async def user_for_token(store: Store, token: str) -> int | None:
    """The owner of a presented token, or None for anything unknown, revoked or malformed."""
    if not looks_like_token(token):
        return None
    wanted = hash_token(token)
    doc: dict[str, Any] | None = await store.run(
        store.db.ical_tokens.find_one, {"token_hash": wanted}, {"user_id": 1, "token_hash": 1}
    )
    if doc is None or not hmac.compare_digest(str(doc["token_hash"]), wanted):
        return None
    return int(doc["user_id"])


CALENDAR_UID_FIELD = "calendar_uid"
ALARM_REVISION_FIELD = "calendar_alarm_revision"


async def calendar_uid(store: Store, user_id: int) -> str:
    """The user's random calendar id (64 bits, hex), made on first use.

    Event UIDs are built from it, never from the Telegram user id, so a shared feed
    URL or an exported file does not reveal who it belongs to. `Store.forget_user`
    deletes it with the users document."""

    async def op() -> str:
        users = store.db.users
        doc = await users.find_one({"user_id": user_id}, {CALENDAR_UID_FIELD: 1}) or {}
        value = doc.get(CALENDAR_UID_FIELD)
        if isinstance(value, str) and value:
            return value
        fresh = secrets.token_hex(8)
        await users.update_one(
            {"user_id": user_id, CALENDAR_UID_FIELD: {"$exists": False}},
            {"$set": {CALENDAR_UID_FIELD: fresh}},
        )
        doc = await users.find_one({"user_id": user_id}, {CALENDAR_UID_FIELD: 1}) or {}
        return str(doc.get(CALENDAR_UID_FIELD) or fresh)

    return await store.run(op)


async def bump_alarm_revision(store: Store, user_id: int) -> None:
    """Count a change of the calendar alarm (the reminder lead time): every event's
    SEQUENCE rises with it, so calendar apps take the new alarm."""
    await store.run(
        store.db.users.update_one, {"user_id": user_id}, {"$inc": {ALARM_REVISION_FIELD: 1}}
    )


def alarm_revision(user: dict[str, Any] | None) -> int:
    value = (user or {}).get(ALARM_REVISION_FIELD)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
