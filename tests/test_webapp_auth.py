"""Telegram's initData check (`bot.webapp.auth`), as the Web Apps documentation defines it,
and the loopback-only dev sessions of `learnplan chat --web`."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

from bot.webapp.auth import DevSessions, WebUser, sign_init_data, validate_init_data
from tests.webapp_rig import NOW, init_data

TOKEN = "123456:TEST-TOKEN"


def test_the_documented_scheme_by_hand() -> None:
    """Recompute the hash exactly as Telegram's documentation spells it out."""
    data = init_data(42, TOKEN)
    fields = dict(parse_qsl(data))
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    assert fields["hash"] == hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert validate_init_data(data, TOKEN, now=NOW) == WebUser(id=42, first_name="Ada")


def test_forged_stale_or_malformed_init_data_is_refused() -> None:
    good = init_data(42, TOKEN)
    fields = dict(parse_qsl(good))
    cases = {
        "empty": "",
        "no hash": urlencode({k: v for k, v in fields.items() if k != "hash"}),
        "other token": init_data(42, "654321:OTHER"),
        "empty token": init_data(42, ""),
        "changed user": good.replace("%3A42%2C", "%3A43%2C"),
        "repeated key": good + "&auth_date=1",
        "too old": init_data(42, TOKEN, signed_at=NOW - timedelta(hours=24, seconds=1)),
        "from the future": init_data(42, TOKEN, signed_at=NOW + timedelta(minutes=10)),
        "not a query string": "%%%",
        "too long": init_data(42, TOKEN, extra={"pad": "x" * 5000}),
        "no user": _signed({"auth_date": fields["auth_date"]}),
        "user id not a number": _signed({"auth_date": fields["auth_date"], "user": '{"id":"42"}'}),
        "user is not json": _signed({"auth_date": fields["auth_date"], "user": "42"}),
        "no auth_date": _signed({"user": '{"id":42}'}),
    }
    for name, data in cases.items():
        assert validate_init_data(data, TOKEN, now=NOW) is None, name


def test_the_age_limit_is_a_setting() -> None:
    data = init_data(42, TOKEN, signed_at=NOW - timedelta(hours=2))
    assert validate_init_data(data, TOKEN, now=NOW) is not None
    assert validate_init_data(data, TOKEN, now=NOW, max_age=timedelta(hours=1)) is None


def test_dev_tokens_open_one_session_from_loopback_only() -> None:
    dev = DevSessions(WebUser(id=1))
    token = dev.new_token()
    assert dev.exchange(token, "203.0.113.9") is None
    assert dev.exchange(token, None) is None
    session = dev.exchange(token, "127.0.0.1")
    assert session is not None
    assert dev.exchange(token, "127.0.0.1") is None
    assert dev.user_of(session, "::1") == WebUser(id=1)
    assert dev.user_of(session, "198.51.100.4") is None
    assert dev.user_of("é" + session, "127.0.0.1") is None
    assert dev.exchange("not-a-token", "127.0.0.1") is None


def _signed(fields: dict[str, str]) -> str:
    return urlencode({**fields, "hash": sign_init_data(fields, TOKEN)})
