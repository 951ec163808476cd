"""The `ical_tokens` collection: issue, replace, look up and revoke subscription tokens."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from storage.calendar_tokens import (
    TOKEN_LENGTH,
    issue_token,
    link_created_at,
    looks_like_token,
    revoke_token,
    user_for_token,
)
from storage.engine import Engine
from storage.store import Store
from tests.harness import FrozenClock

BOTH_ENGINES = True
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    created = Store(engine, clock=FrozenClock(NOW))
    await created.setup()
    yield created


async def _docs(store: Store) -> list[dict]:
    return await store.run(store.db.ical_tokens.find({}).to_list)


async def test_issue_look_up_replace_and_revoke(store: Store) -> None:
    first = await issue_token(store, 1)
    assert not first.replaced and len(first.token) == TOKEN_LENGTH == 43
    assert looks_like_token(first.token)
    assert await user_for_token(store, first.token) == 1
    assert await link_created_at(store, 1) == NOW

    second = await issue_token(store, 1)
    assert second.replaced and second.token != first.token
    assert await user_for_token(store, first.token) is None
    assert await user_for_token(store, second.token) == 1
    docs = await _docs(store)
    assert len(docs) == 1 and docs[0]["user_id"] == 1
    assert docs[0]["token_hash"] == hashlib.sha256(second.token.encode()).hexdigest()

    assert await revoke_token(store, 1)
    assert await user_for_token(store, second.token) is None
    assert await link_created_at(store, 1) is None
    assert not await revoke_token(store, 1)


async def test_users_links_are_independent(store: Store) -> None:
    alice, bob = await issue_token(store, 1), await issue_token(store, 2)
    assert await user_for_token(store, alice.token) == 1
    assert await user_for_token(store, bob.token) == 2
    assert await revoke_token(store, 2)
    assert await user_for_token(store, alice.token) == 1


async def test_concurrent_issues_leave_one_working_link(store: Store) -> None:
    issued = await asyncio.gather(*(issue_token(store, 3) for _ in range(10)))
    working = [i.token for i in issued if await user_for_token(store, i.token) == 3]
    assert len(working) == 1
    assert len(await _docs(store)) == 1


async def test_malformed_tokens_are_not_looked_up(store: Store) -> None:
    token = (await issue_token(store, 4)).token
    stored_hash = (await _docs(store))[0]["token_hash"]
    for wrong in ("", token + "=", token[:-1], f" {token}", stored_hash, "../" + token[3:]):
        assert not looks_like_token(wrong)
        assert await user_for_token(store, wrong) is None


async def test_forgetting_the_user_deletes_the_link(store: Store) -> None:
    token = (await issue_token(store, 5)).token
    assert await store.forget_user(5) >= 1
    assert await user_for_token(store, token) is None
    assert await _docs(store) == []
