"""The learner's own syllabus: pasted lists, Markdown and PDF files become the plan's
units in order; bad input gets a clear answer; every syllabus plan passes the validator."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from agent.offline import syllabus_plan
from agent.syllabus import (
    SyllabusError,
    SyllabusUnit,
    extract_units,
    is_outline_message,
    parse_text,
)
from agent.validator import check_plan
from storage.models import Goal, SkillLevel
from tests.harness import BotUnderTest, texts

PASTED = """Here's my course outline:
1. Introduction to databases
2. The relational model
   2.1 Keys
   2.2 Constraints
3. SQL basics
4. Normalisation
5. Transactions
"""
MARKDOWN = """# Intro to Statistics
A course for first-year students.

## Week 1: Descriptive statistics
- mean and median
- spread
## Week 2: Probability
## Week 3: Inference
"""
GOAL = Goal(goal="Databases", skill_level=SkillLevel.BEGINNER, hours_per_week=4, weeks=3)


def text_pdf(pages: list[list[str]]) -> bytes:
    """A minimal hand-written PDF whose pages show the given lines (Helvetica)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        body = " ".join(f"0 -28 Td ({line}) Tj" for line in lines)
        stream = f"BT /F1 16 Tf 72 760 Td {body} ET".encode()
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
        content = len(objects)
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Contents {content} 0 R /Resources << /Font << /F1 FONT 0 R >> >> >>"
        )
        kids.append(len(objects))
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    font = len(objects)
    objects[1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{obj.replace('FONT', str(font))}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def outline_pdf() -> bytes:
    writer = PdfWriter()
    for _ in range(10):
        writer.add_blank_page(width=612, height=792)
    first = writer.add_outline_item(title="Chapter 1: Foundations", page_number=0)
    writer.add_outline_item(title="1.1 Terms", page_number=1, parent=first)
    writer.add_outline_item(title="Chapter 2: Methods", page_number=4)
    writer.add_outline_item(title="Chapter 3: Practice", page_number=9)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pasted_list_keeps_order_and_structure() -> None:
    assert is_outline_message(PASTED)
    assert not is_outline_message("Here's my course outline:")
    units = parse_text(PASTED)
    assert [u.title for u in units] == [
        "Introduction to databases",
        "The relational model",
        "SQL basics",
        "Normalisation",
        "Transactions",
    ]
    assert units[1].topics == ["Keys", "Constraints"] and units[1].weight > units[0].weight


def test_markdown_headings_are_units_and_bullets_their_topics() -> None:
    units = extract_units(MARKDOWN.encode(), "stats.md")
    assert [u.title for u in units] == ["Descriptive statistics", "Probability", "Inference"]
    assert units[0].topics == ["mean and median", "spread"]


def test_a_pdf_outline_gives_units_sized_by_pages() -> None:
    units = extract_units(outline_pdf(), "book.pdf")
    assert [u.title for u in units] == [
        "Chapter 1: Foundations",
        "Chapter 2: Methods",
        "Chapter 3: Practice",
    ]
    assert [u.weight for u in units] == [4, 5, 1]
    assert units[0].topics == ["1.1 Terms"]


def test_a_pdf_without_outline_gives_its_headings() -> None:
    pdf = text_pdf([["Chapter 1 Getting started", "Some words."], ["More words"],
                    ["Chapter 2 Going further", "Text."]])  # fmt: skip
    units = extract_units(pdf, "notes.pdf")
    assert [u.title for u in units] == ["Getting started", "Going further"]
    assert [u.weight for u in units] == [2, 1]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.txt", "empty"),
        (b"Here's my course outline:\n\n", "outline.md", "empty"),
        (b"x", "slides.docx", "wrong_type"),
        (blank_pdf(), "scan.pdf", "image_only"),
        (b"%PDF-1.4 garbage", "broken.pdf", "pdf_unreadable"),
        (b"0" * (10 * 1024 * 1024 + 1), "huge.txt", "too_big"),
    ],
)
def test_bad_input_is_refused_with_a_reason(data: bytes, name: str, code: str) -> None:
    with pytest.raises(SyllabusError) as caught:
        extract_units(data, name)
    assert caught.value.code == code


def test_syllabus_plans_follow_the_units_in_order() -> None:
    units = parse_text(PASTED)
    plan = syllabus_plan(GOAL, units)
    assert check_plan(plan, GOAL) == [] and plan.meta.source == "syllabus"
    titles = [m.title for m in plan.modules()]
    firsts = [next(i for i, t in enumerate(titles) if t.startswith(u.title)) for u in units]
    assert firsts == sorted(firsts)
    short = GOAL.model_copy(update={"weeks": 1, "hours_per_week": 2})
    plan = syllabus_plan(short, units)
    assert check_plan(plan, short) == []
    covered = " ".join(m.title + " ".join(m.topics) for m in plan.modules())
    assert all(u.title in covered for u in units), "many units share modules, none is lost"


unit_lists = st.lists(
    st.builds(
        SyllabusUnit,
        title=st.text(min_size=1, max_size=120).filter(lambda t: t.strip()),
        weight=st.floats(min_value=0.5, max_value=40),
        topics=st.lists(st.text(max_size=30), max_size=4),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit_lists,
    st.sampled_from(list(SkillLevel)),
    st.integers(min_value=1, max_value=26),
    st.floats(min_value=0.5, max_value=30),
)
def test_every_syllabus_plan_is_valid(
    units: list[SyllabusUnit], skill: SkillLevel, weeks: int, hours: float
) -> None:
    goal = Goal(goal="My course", skill_level=skill, hours_per_week=hours, weeks=weeks)
    plan = syllabus_plan(goal, units)
    assert check_plan(plan, goal) == [] and len(plan.weeks) == weeks


async def test_pasted_outline_becomes_the_plan(bot: BotUnderTest) -> None:
    user = 801
    calls = await bot.say(user, PASTED)
    assert "Got your outline: 5 units" in texts(calls)
    calls = await bot.say(
        user, "Databases, 3 weeks, 4h/week, beginner, weekends 10:00-12:00, Berlin"
    )
    calls = await bot.press_button(user, calls[-1], "Skip")
    calls = await bot.press_button(user, calls[-1], "Build my plan")
    assert "Introduction to databases" in texts(calls) and "Transactions" in texts(calls)
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None and stored[1].meta.source == "syllabus"
    assert check_plan(stored[1], stored[2]) == []
    user_doc = await bot.runtime.store.get_user(user)  # type: ignore[union-attr]
    assert not (user_doc or {}).get("pending_syllabus"), "used once, then cleared"


async def test_documents_replace_the_plan_or_get_a_clear_answer(bot: BotUnderTest) -> None:
    user = 802
    calls = await bot.say(
        user, "Learn statistics, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin"
    )
    calls = await bot.press_button(user, calls[-1], "Skip")
    await bot.press_button(user, calls[-1], "Build my plan")

    async def send(name: str, data: bytes, size: int | None = None) -> str:
        since = len(bot.api.calls)
        bot.api.send_document(user, name, data, file_size=size)
        return texts(await bot.api.wait_quiet(user, since))

    assert ".txt, .md or .pdf" in await send("slides.docx", b"PK")
    assert "over 10 MB" in await send("big.pdf", b"%PDF", size=11 * 1024 * 1024)
    assert "scanned images" in await send("scan.pdf", blank_pdf())
    assert "couldn't find any chapters" in await send("empty.txt", b"   \n")
    reply = await send("stats.md", MARKDOWN.encode())
    assert "Your plan now follows your outline (3 units" in reply
    assert "Descriptive statistics" in reply
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None and stored[0] == 2 and stored[1].meta.source == "syllabus"
    reply = await send("book.pdf", outline_pdf())
    assert "Chapter 2: Methods" in reply
    assert not bot.api.rejected
