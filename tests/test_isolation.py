"""Isolation end to end: user B can never read or change user A's plan, progress,
reminders or calendar feed — not by a message, a button, a poll answer or a URL.

Everything goes through the real path: Bot API stand-in over HTTP → python-telegram-bot →
graph → storage, and the calendar feed over real HTTP from the bot's own server. The
victim (A) has a plan with sessions, a reminder the runner sent (with its ✅/⏰/⏭
buttons), progress (a module done with time, a graded quiz answer), a calendar link and
a handful of messages with buttons. The attacker (B) has a plan of their own; a newcomer
(N) has nothing. Each attack must leave every one of A's documents, in every collection,
byte for byte as it was — nothing is ignored as volatile, the clock is frozen — must
leave A's conversation state alone, must send nothing to A's chat, and nothing A wrote
or owns (goal, topics, module titles, ids, link token) may reach the attacker.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from storage.models import Plan
from storage.progress_doc import load_progress
from storage.reminders import user_reminders
from storage.store import Store
from tests.calendar_harness import WATERCOLOR_GOAL, CalendarRig, calendar_rig, link_in
from tests.fakes.progress_driver import push_poll_answer, sent_polls, wait_until
from tests.fakes.telegram_api import Call
from tests.harness import FrozenClock, texts

# PTB's rate limiter reads RetryAfter.retry_after, which warns about its future type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

VICTIM, ATTACKER, NEWCOMER = 731_904_225, 842_015_336, 953_126_447
# The victim's goal uses words no bot text ever says, so seeing them anywhere in the
# attacker's chat can only be a leak.
VICTIM_GOAL = (
    "I want to learn Haskell, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, "
    "Berlin, topics: monads and typeclasses"
)

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)
VICTIM_WORDS = ("Haskell", "monads", "typeclasses")
# Monday 19 October 2026, 10:00 in Berlin; the victim's first session is at 19:00, its
# reminder at 18:45 (16:45 UTC).
MONDAY = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
FIRST_REMINDER = datetime(2026, 10, 19, 16, 45, tzinfo=UTC)
NOT_FOR_YOU = "That button isn't for you."
REMINDER_NOT_YOURS = "isn't yours or has expired"


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    rig: CalendarRig
    plan_a: Plan
    plan_b: Plan
    url_a: str
    url_b: str
    reminder: Call  # the reminder the runner sent the victim, with its buttons
    polls: list[dict[str, Any]]  # the victim's quiz polls; only the first is answered

    @property
    def store(self) -> Store:
        return self.rig.store

    @property
    def clock(self) -> FrozenClock:
        clock = self.rig.bot.clock
        assert isinstance(clock, FrozenClock)
        return clock

    def victim_secrets(self) -> list[str]:
        """Strings only the victim's data contains."""
        titles_b = {m.title for m in self.plan_b.modules()}
        own_titles = [m.title for m in self.plan_a.modules() if m.title not in titles_b]
        token = self.url_a.rsplit("/", 1)[1].removesuffix(".ics")
        return [*VICTIM_WORDS, self.plan_a.title, *own_titles, token, str(VICTIM)]


async def _build_world(rig: CalendarRig) -> World:
    bot = rig.bot
    _version, plan_a = await rig.make_plan(VICTIM, VICTIM_GOAL)
    _version, plan_b = await rig.make_plan(ATTACKER, WATERCOLOR_GOAL)
    assert {m.title for m in plan_a.modules()} != {m.title for m in plan_b.modules()}

    assert bot.runtime is not None and isinstance(bot.clock, FrozenClock)
    bot.clock.now = FIRST_REMINDER
    report = await bot.runtime.reminders.tick()
    assert report.reminders.sent == 1, report
    (reminder,) = [c for c in rig.api.sent(VICTIM) if str(c.params["text"]).startswith("📚")]
    assert {"✅ Done", "⏭ Skip", "⏰ 1 h"} <= {label for label, _ in rig.api.buttons(reminder)}

    calls = await bot.say(VICTIM, "done w1m2, took 30 min")
    assert "✅ Marked" in texts(calls), texts(calls)
    calls = await bot.say(VICTIM, "/quiz")
    polls = sent_polls(calls)
    assert len(polls) >= 2 and polls[0]["correct"] is not None, texts(calls)
    await _answer_poll(rig, VICTIM, polls[0]["poll_id"], polls[0]["correct"])
    graded = (await load_progress(rig.store, VICTIM)).quiz_scores("p1")
    assert graded == {1: (1, 1)}, graded

    url_a = link_in(texts(await bot.say(VICTIM, "/calendar link")))
    url_b = link_in(texts(await bot.say(ATTACKER, "/calendar link")))
    # More messages with buttons for the attacker to replay: the calendar link's
    # rotate/revoke, the reminder settings, a choice of modules, and /forget's "yes".
    calls = await bot.say(VICTIM, "/calendar link")
    assert "already have a calendar link" in texts(calls)
    await bot.say(VICTIM, "/reminders")
    calls = await bot.say(VICTIM, "done week 1")
    assert "Which one do you mean?" in texts(calls), texts(calls)
    calls = await bot.say(VICTIM, "/forget")
    assert "Delete it all?" in texts(calls)
    return World(rig, plan_a, plan_b, url_a, url_b, reminder, polls)


@pytest.fixture
async def world(tmp_path: Path, mongodb_uri: str | None) -> AsyncIterator[World]:
    async with calendar_rig(tmp_path, now=MONDAY, mongodb_uri=mongodb_uri) as rig:
        yield await _build_world(rig)


# --------------------------------------------------------------------------- snapshots


async def footprint(world: World, uid: int) -> dict[str, list[str]]:
    """Every document of `uid` in every collection (by user id, chat id or _id), whole,
    `_id` included: what must not change, byte for byte."""
    store = world.store

    async def op() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name in sorted(await store.db.list_collection_names()):
            if name.startswith("system."):
                continue
            owned = {"$or": [{"user_id": uid}, {"chat_id": uid}, {"_id": uid}]}
            found[name] = sorted([repr(doc) async for doc in store.db[name].find(owned)])
        return found

    return await store.run(op)


async def conversation(world: World, uid: int) -> tuple[str | None, str]:
    """The chat's latest checkpoint id and its state."""
    assert world.rig.bot.runtime is not None
    graph = world.rig.bot.runtime.service.graph
    snapshot = await graph.aget_state({"configurable": {"thread_id": str(uid)}})
    checkpoint = (snapshot.config or {}).get("configurable", {}).get("checkpoint_id")
    return checkpoint, repr(snapshot.values)


@dataclass
class Snapshot:
    documents: dict[str, list[str]]
    exported: str
    state: tuple[str | None, str]
    feed: bytes
    calls_to_victim: int


VICTIM_COLLECTIONS = {
    "users",
    "learning_plans",
    "user_progress",
    "schedules",
    "reminders",
    "ical_tokens",
}


async def snapshot(world: World) -> Snapshot:
    fetched = await world.rig.fetch(world.url_a)
    assert fetched.status == 200
    taken = Snapshot(
        documents=await footprint(world, VICTIM),
        exported=repr(await world.store.export_user(VICTIM)),
        state=await conversation(world, VICTIM),
        feed=fetched.body,
        calls_to_victim=len(_calls_to(world, VICTIM)),
    )
    held = {name for name, docs in taken.documents.items() if docs}
    assert VICTIM_COLLECTIONS <= held, f"the victim has documents in {held} only"
    assert taken.state[0] is not None, "the victim has a conversation"
    return taken


async def assert_victim_untouched(world: World, before: Snapshot) -> None:
    after = await snapshot(world)
    for name, docs in before.documents.items():
        assert after.documents.get(name) == docs, f"the victim's {name} changed"
    assert after.documents == before.documents
    assert after.exported == before.exported
    assert after.state == before.state, "the victim's conversation state changed"
    assert after.feed == before.feed, "the victim's calendar feed changed"
    assert after.calls_to_victim == before.calls_to_victim, "something was sent to the victim"


def _calls_to(world: World, chat: int, since: int = 0) -> list[Call]:
    """What the bot sent or showed `chat`; "typing…" is left out (it depends only on how
    long a turn took, and shows nothing)."""
    return [
        c
        for c in world.rig.api.calls[since:]
        if str(c.params.get("chat_id")) == str(chat) and c.method != "sendChatAction"
    ]


def seen_by(world: World, chat: int, since: int = 0) -> str:
    """Everything the bot showed `chat` after call index `since`: texts, captions, poll
    questions and options, and the content of every file."""
    parts: list[str] = []
    for call in _calls_to(world, chat, since):
        for key in ("text", "caption", "question", "options"):
            if key in call.params:
                parts.append(str(call.params[key]))
        for body in call.files.values():
            parts.append(body.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def assert_nothing_of_the_victim(world: World, chat: int, since: int) -> None:
    shown = seen_by(world, chat, since)
    for secret in world.victim_secrets():
        assert secret not in shown, f"{secret!r} reached chat {chat}"


# --------------------------------------------------------------------------- driving


async def _answer_poll(rig: CalendarRig, user: int, poll_id: str, option: int) -> None:
    """The owner answers: wait until the answer is stored."""
    push_poll_answer(rig.bot, user, poll_id, [option])

    async def stored() -> bool:
        polls = (await load_progress(rig.store, user)).raw.get("polls") or {}
        return "answer" in (polls.get(poll_id) or {})

    await wait_until(stored)


async def _settle(world: World, quiet: float = 0.4) -> None:
    """Let any HTTP round trip still in flight land: wait until the stand-in has had no
    update to deliver and no call for `quiet` seconds, counted from now (real time, a
    fraction of a second)."""
    api = world.rig.api
    started = time.monotonic()
    deadline = started + 10
    while time.monotonic() < deadline:
        last = max(api.calls[-1].at if api.calls else 0.0, started)
        if not api.pending_updates() and time.monotonic() - last >= quiet:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never went quiet")


async def _press_refused(world: World, presser: int, raw: list[str]) -> list[Call]:
    """Press each raw callback data as `presser`; the bot must only answer the query.
    Returns its answerCallbackQuery calls."""
    api = world.rig.api
    since = len(api.calls)
    for data in raw:
        api.press(presser, data)

    async def all_answered() -> bool:
        answers = [c for c in api.calls[since:] if c.method == "answerCallbackQuery"]
        return len(answers) >= len(raw)

    await wait_until(all_answered)
    await _settle(world)
    sent = [c for c in api.calls[since:] if c.params.get("chat_id") is not None]
    assert sent == [], [(c.method, c.params.get("text")) for c in sent]
    return [c for c in api.calls[since:] if c.method == "answerCallbackQuery"]


def _victim_buttons(world: World) -> list[str]:
    """The raw callback data of every inline button the bot ever sent the victim."""
    seen: list[str] = []
    for call in world.rig.api.sent(VICTIM):
        for _label, data in world.rig.api.buttons(call):
            if data and data not in seen:
                seen.append(data)
    return seen


def _as(data: str, owner: int) -> str:
    return f"{data.rpartition('|')[0]}|{owner}"


async def _progress(world: World, uid: int) -> dict[str, Any]:
    return (await load_progress(world.store, uid)).raw


# --------------------------------------------------------------------------- messages


ATTACK_MESSAGES = [
    "done w1m1",
    "/done w1m1",
    "undo",
    "not done",
    "/done w1m2 45m",
    "/log 1h w1m2",
    "/plan",
    "/today",
    "/progress",
    "/quiz",
    "/export",
    "/calendar",
    "/calendar revoke",
    "/calendar link",
    "/reminders off",
    "/remind weekdays 07:30",
    "pause reminders for a week",
    "make week 1 lighter",
    "/timezone Tokyo",
]


async def _forget(world: World, user: int) -> None:
    bot = world.rig.bot
    await bot.say(user, "/cancel")  # a pending intake question would take the button press
    calls = await bot.say(user, "/forget")
    (asked,) = [c for c in calls if "Delete it all?" in str(c.params.get("text"))]
    calls = await bot.press_button(user, asked, "Yes, delete everything")
    assert "I deleted all your data" in texts(calls), texts(calls)


async def test_messages_from_another_user_only_touch_their_own_data(world: World) -> None:
    bot, api = world.rig.bot, world.rig.api
    before = await snapshot(world)
    since = len(api.calls)
    for text in ATTACK_MESSAGES:
        calls = await bot.say(ATTACKER, text)
        assert calls, text
        if text == "done w1m1":
            done = (await load_progress(world.store, ATTACKER)).done("p1")
            assert set(done) == {"w1m1"}, "the attacker's own module, in their own progress"
        if text == "/plan":
            shown = texts(calls)
            assert world.plan_b.title in shown and "Week 1" in shown
        if text == "/reminders off":
            reminders = await user_reminders(world.store, ATTACKER)
            assert reminders and not [d for d in reminders if d["status"] == "pending"], (
                "/reminders off turned off the attacker's own reminders"
            )
    exported = [c for c in api.sent(ATTACKER, "sendDocument") if "export" in str(c.params)]
    assert exported, "the attacker got their own export"
    payload = json.loads(next(iter(exported[-1].files.values())))
    assert payload["user_id"] == ATTACKER
    for docs in payload["collections"].values():
        assert all(d.get("user_id") == ATTACKER for d in docs)
    assert str(VICTIM) not in json.dumps(payload)
    active = await world.store.active_plan(ATTACKER)
    assert active is not None and active[0] == 2, "the attacker refined their own plan"
    await _forget(world, ATTACKER)
    assert await world.store.active_plan(ATTACKER) is None
    assert_nothing_of_the_victim(world, ATTACKER, since)
    await assert_victim_untouched(world, before)

    # A newcomer with no data at all gets nothing of the victim's either.
    since = len(api.calls)
    # Commands first: the first free text starts the newcomer's own intake.
    for text in sorted(ATTACK_MESSAGES, key=lambda t: not t.startswith("/")):
        assert await bot.say(NEWCOMER, text), text
    await _forget(world, NEWCOMER)
    assert_nothing_of_the_victim(world, NEWCOMER, since)
    await assert_victim_untouched(world, before)
    assert await world.store.active_plan(VICTIM) is not None


# --------------------------------------------------------------------------- buttons


async def test_the_victims_buttons_pressed_by_another_user_are_refused(world: World) -> None:
    before = await snapshot(world)
    buttons = _victim_buttons(world)
    prefixes = {data.split(":", 1)[0] for data in buttons}
    assert {"week", "done", "rm", "pg", "cal", "acct"} <= prefixes, buttons
    assert all(data.endswith(f"|{VICTIM}") for data in buttons)
    forged = [
        *buttons,
        # The owner's id without a suffix, a doubled suffix, someone else's, nonsense.
        *(data.rpartition("|")[0] for data in buttons[:3]),
        *(f"{_as(data, ATTACKER)}|{VICTIM}" for data in buttons[:3]),
        f"cal:revoke|{VICTIM}|{ATTACKER}x",
        f"acct:forget:yes:{int(world.clock.now.timestamp())}|{VICTIM}",
    ]
    for presser in (ATTACKER, NEWCOMER):
        answers = await _press_refused(world, presser, forged)
        said = {str(a.params.get("text")) for a in answers}
        assert said == {NOT_FOR_YOU}, said
    await assert_victim_untouched(world, before)


async def test_the_victims_ids_in_the_attackers_own_buttons_touch_nothing(world: World) -> None:
    bot, api = world.rig.bot, world.rig.api
    store = world.store
    before = await snapshot(world)
    since = len(api.calls)

    # Reminder buttons naming the victim's reminders: the one sent, and pending ones.
    victims = await user_reminders(store, VICTIM)
    sent = [d for d in victims if d["status"] == "sent"]
    pending = [d for d in victims if d["status"] == "pending"][:2]
    assert len(sent) == 1 and len(pending) == 2
    forged = [f"rm:z:{sent[0]['short_id']}:{code}" for code in ("20m", "1h", "tm")]
    for doc in [*sent, *pending]:
        forged += [f"rm:z:{doc['short_id']}:1h", f"rm:k:{doc['short_id']}"]
    for data in dict.fromkeys(forged):
        calls = await bot.press(ATTACKER, f"{data}|{ATTACKER}")
        assert REMINDER_NOT_YOURS in texts(calls), (data, texts(calls))

    # Undo buttons naming the victim's activities (the module done, the quiz answer).
    activities = [a["id"] for a in (await _progress(world, VICTIM)).get("activity") or []]
    assert len(activities) >= 2, activities
    for activity in activities:
        calls = await bot.press(ATTACKER, f"pg:u:{activity}|{ATTACKER}")
        assert "already undone" in texts(calls), texts(calls)

    # Every button the victim got, replayed with the attacker's own suffix; "yes,
    # delete everything" last (it deletes the attacker's own data).
    replays = sorted(
        (_as(data, ATTACKER) for data in _victim_buttons(world)),
        key=lambda data: data.startswith("acct:forget:yes"),
    )
    assert replays[-1].startswith("acct:forget:yes")
    for data in replays:
        calls = await bot.press(ATTACKER, data)
        assert calls, data
        if data.startswith("week:1|"):
            assert "<b>Week 1</b>" in texts(calls)
    assert "I deleted all your data" in texts(calls)
    assert await store.active_plan(ATTACKER) is None
    for name, docs in (await footprint(world, ATTACKER)).items():
        assert docs == [], f"the attacker's {name} survived their own /forget"

    assert_nothing_of_the_victim(world, ATTACKER, since)
    await assert_victim_untouched(world, before)
    # The victim's own buttons still work for the victim afterwards.
    snooze = dict(api.buttons(world.reminder))["⏰ 1 h"]
    calls = await bot.press(VICTIM, snooze)
    assert "Snoozed" in texts(calls), texts(calls)


# --------------------------------------------------------------------------- URLs


async def test_calendar_links_only_ever_show_their_owners_sessions(world: World) -> None:
    rig = world.rig
    before = await snapshot(world)
    token_a = world.url_a.rsplit("/", 1)[1].removesuffix(".ics")
    token_b = world.url_b.rsplit("/", 1)[1].removesuffix(".ics")
    base = world.url_a.rsplit("/", 1)[0]
    assert world.url_b.startswith(base + "/")

    feed_b = await rig.fetch(world.url_b)
    assert feed_b.status == 200
    titles_b = {m.title for m in world.plan_b.modules()}
    events_b = Calendar.from_ical(feed_b.body).walk("VEVENT")
    assert events_b and {str(e["SUMMARY"]).split(" (part ")[0] for e in events_b} <= titles_b
    assert f"u{VICTIM}@learnplan".encode() not in feed_b.body
    for secret in world.victim_secrets():
        assert secret.encode() not in feed_b.body, secret

    flipped = token_a[:10] + ("A" if token_a[10] != "A" else "B") + token_a[11:]
    swapped = token_a.swapcase()
    assert swapped != token_a
    guesses = [
        flipped,
        token_a[:-1],
        token_a[:20],
        token_a + "A",
        swapped,
        token_a.upper(),
        token_a.lower(),
        token_b[:-1] + token_a[-1],
        str(VICTIM),
        "",
    ]
    # A guess can be a real token by chance: the last base64url character of a 32-byte
    # token carries 4 bits, so token_b[:-1] + token_a[-1] is token_b once in 16 runs.
    for guess in (g for g in guesses if g not in {token_a, token_b}):
        fetched = await rig.fetch(f"{base}/{guess}.ics")
        assert fetched.status == 404, guess
        assert b"BEGIN:VCALENDAR" not in fetched.body
    for url in (f"{base}/{token_a}", f"{base}/{token_a}.ics/", f"{base}/{token_a}.ICS"):
        assert (await rig.fetch(url)).status == 404, url

    # The attacker's link commands only ever change the attacker's link.
    calls = await rig.bot.say(ATTACKER, "/calendar link new")
    renewed_b = link_in(texts(calls))
    assert (await rig.fetch(world.url_b)).status == 404
    assert (await rig.fetch(renewed_b)).status == 200
    calls = await rig.bot.say(ATTACKER, "/calendar revoke")
    assert "turned off" in texts(calls)
    assert (await rig.fetch(renewed_b)).status == 404
    await assert_victim_untouched(world, before)

    # The victim revokes: the old link is dead; the attacker's new one is independent.
    newest_b = link_in(texts(await rig.bot.say(ATTACKER, "/calendar link")))
    calls = await rig.bot.say(VICTIM, "/calendar revoke")
    assert "turned off" in texts(calls)
    assert (await rig.fetch(world.url_a)).status == 404
    again_b = await rig.fetch(newest_b)
    assert again_b.status == 200 and again_b.body == (await rig.fetch(newest_b)).body
    assert {
        str(e["SUMMARY"]).split(" (part ")[0]
        for e in Calendar.from_ical(again_b.body).walk("VEVENT")
    } <= titles_b


# --------------------------------------------------------------------------- poll answers


async def _attacker_answers(world: World, user: int, poll_id: str, options: list[int]) -> None:
    """`user` answers a poll that is not theirs; wait until the bot has handled it (the
    chat's conversation state shows the answer as its last event)."""
    push_poll_answer(world.rig.bot, user, poll_id, options)

    async def handled() -> bool:
        assert world.rig.bot.runtime is not None
        graph = world.rig.bot.runtime.service.graph
        state = await graph.aget_state({"configurable": {"thread_id": str(user)}})
        inbox = state.values.get("inbox") or {}
        return inbox.get("poll_id") == poll_id and inbox.get("option_ids") == options

    await wait_until(handled)


async def test_answers_to_the_victims_quiz_polls_from_another_user_are_ignored(
    world: World,
) -> None:
    api = world.rig.api
    answered, unanswered = world.polls[0], world.polls[1]
    before = await snapshot(world)
    progress_b = await _progress(world, ATTACKER)
    since = len(api.calls)
    for user in (ATTACKER, NEWCOMER):
        for poll in (answered, unanswered):
            for options in ([poll["correct"]], [(poll["correct"] + 1) % 2], []):
                await _attacker_answers(world, user, poll["poll_id"], options)
    await _settle(world)
    assert _calls_to(world, ATTACKER, since) == [], "the attacker was graded"
    assert _calls_to(world, NEWCOMER, since) == [], "the newcomer was graded"
    assert await _progress(world, ATTACKER) == progress_b
    assert await _progress(world, NEWCOMER) == {}
    await assert_victim_untouched(world, before)

    # The victim's own answer to the poll the others tried still counts, once.
    world.clock.now += timedelta(minutes=1)
    await _answer_poll(world.rig, VICTIM, unanswered["poll_id"], unanswered["correct"])
    scores = (await load_progress(world.store, VICTIM)).quiz_scores("p1")
    assert scores == {1: (2, 2)}, scores
