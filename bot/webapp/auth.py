"""Who is calling the Mini App's API: Telegram's signed ``initData``, or a loopback dev session.

``initData`` is validated exactly as Telegram documents for Web Apps: the query string is
parsed, ``hash`` taken out, the remaining ``key=value`` pairs sorted by key and joined with
``\\n`` (the data-check string); the secret key is ``HMAC_SHA256(key="WebAppData",
msg=bot_token)``, and the data is genuine when ``hex(HMAC_SHA256(key=secret,
msg=data_check_string))`` equals ``hash`` (compared in constant time). ``auth_date`` older
than ``max_age`` (24 h by default) is refused. Only ``user.id`` is taken from it: nothing
else in a request can choose whose data is read or changed.

`DevSessions` serves ``learnplan chat --web``: a one-time token, printed in the terminal,
is exchanged once (from loopback only) for a session secret bound to the terminal user.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import ip_address
from urllib.parse import parse_qsl

DEFAULT_MAX_AGE = timedelta(hours=24)
MAX_INIT_DATA = 4096
# A signature dated this far in the future is a clock problem or a forgery.
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class WebUser:
    """The validated caller."""

    id: int
    first_name: str | None = None


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """The ``hash`` Telegram would put on ``fields`` (used by tests and tools)."""
    check = data_check_string(fields).encode("utf-8")
    return hmac.new(secret_key(bot_token), check, hashlib.sha256).hexdigest()


def validate_init_data(
    init_data: str, bot_token: str, *, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE
) -> WebUser | None:
    """The user ``init_data`` was signed for, or None when it is missing, malformed,
    forged, signed with another bot's token, or too old."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    presented = fields.get("hash", "")
    if len(fields) != len(pairs) or not presented:
        return None  # a repeated key is ambiguous: refuse it
    expected = sign_init_data(fields, bot_token)
    if not hmac.compare_digest(presented.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdigit():
        return None
    signed_at = datetime.fromtimestamp(int(auth_date), tz=now.tzinfo)
    if now - signed_at > max_age or signed_at - now > MAX_CLOCK_SKEW:
        return None
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        return None
    uid = user.get("id") if isinstance(user, dict) else None
    if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
        return None
    name = user.get("first_name")
    return WebUser(id=uid, first_name=name if isinstance(name, str) else None)


def _same(expected: str, presented: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass
class DevSessions:
    """One-time tokens for the terminal user of ``learnplan chat --web`` (loopback only)."""

    user: WebUser
    _tokens: set[str] = field(default_factory=set)
    _sessions: set[str] = field(default_factory=set)

    def new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        return token

    def exchange(self, token: str, remote: str | None) -> str | None:
        """A session secret for an unused token presented from loopback; the token is
        spent either way once it matched."""
        if not is_loopback(remote):
            return None
        match = next((t for t in self._tokens if _same(t, token)), None)
        if match is None:
            return None
        self._tokens.discard(match)
        session = secrets.token_urlsafe(32)
        self._sessions.add(session)
        return session

    def user_of(self, session: str, remote: str | None) -> WebUser | None:
        if not is_loopback(remote):
            return None
        found = any(_same(s, session) for s in self._sessions)
        return self.user if found else None
