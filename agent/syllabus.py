"""The learner's own syllabus: a pasted list, a .txt/.md file or a PDF → ordered units.

Pure functions over bytes and text. A list's structure sets the sizes (a unit with
sub-items weighs more); a PDF's outline (bookmarks) gives the units and their page
counts, else the headings found in its text. `syllabus_outline` lays the units out over
the plan's weeks like a curriculum: many units share a module, few are split into parts.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

from agent.outline import OutlineModule, OutlineResource, OutlineWeek
from agent.planner import clean, goal_subject, label, modules_per_week
from storage.models import Goal

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_UNITS = 200
TITLE_LIMIT = 90
PROSE = 99
TEXT_TYPES = (".txt", ".md", ".markdown")
PDF_TYPES = (".pdf",)

_INTRO = re.compile(
    r"^\s*(?:here(?:'|’)?s|here is|this is)?\s*(?:my|the|our)?\s*"
    r"(?:course\s+outline|outline|syllabus|table of contents|course plan|chapters?|curriculum)"
    r"\b[^\n:]*:?",
    re.IGNORECASE,
)
_MARKER = re.compile(
    r"^(?P<hash>#{1,6}\s+)?"
    r"(?P<bullet>[-*•+–]\s+)?"
    r"(?P<num>(?:(?:chapter|unit|part|lesson|module|week|section|topic)\s+)?"
    r"(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])[.):]?\s+)?",
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"^(?:(?:chapter|unit|part|lesson|module|section)\s+\d+\b|\d+(?:\.\d+)?\.?\s+[A-Z])",
    re.IGNORECASE,
)


class SyllabusError(ValueError):
    """Input that cannot become a syllabus; `code` picks the answer the user gets."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SyllabusUnit(BaseModel):
    title: str
    weight: float = Field(default=1.0, gt=0)
    topics: list[str] = Field(default_factory=list)


def is_outline_message(text: str) -> bool:
    """A message that introduces a pasted outline ("Here's my course outline:" + a list)."""
    first, _, rest = text.strip().partition("\n")
    return bool(_INTRO.match(first)) and first.rstrip().endswith(":") and bool(rest.strip())


def _level(line: str, headings: bool) -> tuple[int, str]:
    """(depth, text) of one outline line, its marker removed. In a document with
    Markdown headings, the heading level is the depth and every other line sits below
    the headings; otherwise numbering depth ("2.1" is deeper than "2") plus indentation."""
    indent = len(line.replace("\t", "    ")) - len(line.replace("\t", "    ").lstrip(" "))
    stripped = line.strip()
    marker = _MARKER.match(stripped)
    depth = indent // 2
    if marker and marker.group("hash"):
        depth = len(marker.group("hash").strip())
    elif headings and marker and (marker.group("bullet") or marker.group("num")):
        depth = 7 + depth
    elif headings:
        return PROSE, ""
    elif marker and marker.group("num"):
        depth += marker.group("num").strip().rstrip(".):").count(".")
    body = stripped[marker.end() :] if marker else stripped
    return depth, clean(body.strip(" :-–"))


def parse_text(text: str) -> list[SyllabusUnit]:
    """Units from a pasted list or a text/Markdown file; sub-items become topics. A lone
    top item above everything else (a course title) is skipped."""
    lines = [ln for ln in text.replace("\r", "").split("\n") if ln.strip()]
    if lines and _INTRO.match(lines[0]) and lines[0].rstrip().endswith(":"):
        lines = lines[1:]
    headings = any(re.match(r"^#{1,6}\s", ln.strip()) for ln in lines)
    items = [(d, t) for d, t in (_level(ln, headings) for ln in lines) if t]
    if not items:
        raise SyllabusError("empty")
    depths = sorted({d for d, _ in items})
    top = depths[0]
    while len(depths) > 1 and sum(1 for d, _ in items if d == top) == 1 and items[0][0] == top:
        items = items[1:]
        depths = depths[1:]
        top = depths[0]
    units: list[SyllabusUnit] = []
    for depth, title in items:
        if depth <= top or (not units and not headings):
            units.append(SyllabusUnit(title=label(title, TITLE_LIMIT)))
        elif units:
            unit = units[-1]
            unit.topics.append(label(title, 60))
            unit.weight += 0.5
    return units[:MAX_UNITS]


def _outline_entries(reader: object, items: Iterable[object]) -> list[tuple[str, int, list[str]]]:
    """(title, first page, child titles) for the top level of a PDF outline."""
    entries: list[tuple[str, int, list[str]]] = []
    for item in items:
        if isinstance(item, list):
            if entries:
                entries[-1][2].extend(
                    clean(getattr(c, "title", "")) for c in item if not isinstance(c, list)
                )
            continue
        try:
            page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
        except Exception:
            continue
        entries.append((clean(getattr(item, "title", "")), page, []))
    return [e for e in entries if e[0]]


def parse_pdf(data: bytes) -> list[SyllabusUnit]:
    """Units from a PDF's outline (sized by page counts), else from headings in its text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
        entries = _outline_entries(reader, reader.outline)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        log.info("unreadable PDF: %s", exc)
        raise SyllabusError("pdf_unreadable") from exc
    if entries:
        entries.sort(key=lambda e: e[1])
        starts = [e[1] for e in entries] + [pages]
        return [
            SyllabusUnit(
                title=label(title, TITLE_LIMIT),
                weight=max(1, starts[i + 1] - start),
                topics=[label(c, 60) for c in children if c][:6],
            )
            for i, (title, start, children) in enumerate(entries)
        ][:MAX_UNITS]
    return _pdf_headings(reader, pages)


def _pdf_headings(reader: object, pages: int) -> list[SyllabusUnit]:
    found: list[tuple[str, int]] = []
    any_text = False
    for number, page in enumerate(reader.pages):  # type: ignore[attr-defined]
        text = page.extract_text() or ""
        any_text = any_text or bool(text.strip())
        for line in text.splitlines():
            line = clean(line)
            if 3 <= len(line) <= 80 and _HEADING.match(line) and not line.endswith("."):
                found.append((_level(line, False)[1] or line, number))
    if not any_text:
        raise SyllabusError("image_only")
    if not found:
        raise SyllabusError("no_headings")
    starts = [p for _, p in found] + [pages]
    return [
        SyllabusUnit(title=label(title, TITLE_LIMIT), weight=max(1, starts[i + 1] - page))
        for i, (title, page) in enumerate(found)
    ][:MAX_UNITS]


def extract_units(data: bytes, file_name: str) -> list[SyllabusUnit]:
    """Units from a sent document, by its type; raises `SyllabusError`."""
    if len(data) > MAX_BYTES:
        raise SyllabusError("too_big")
    name = file_name.lower()
    if name.endswith(PDF_TYPES):
        return parse_pdf(data)
    if name.endswith(TEXT_TYPES):
        return parse_text(data.decode("utf-8", errors="replace"))
    raise SyllabusError("wrong_type")


def supported(file_name: str) -> bool:
    return file_name.lower().endswith((*TEXT_TYPES, *PDF_TYPES))


# ---- units → outline weeks ---------------------------------------------------------


def _groups(units: list[SyllabusUnit], slots: int) -> list[list[SyllabusUnit]]:
    """`slots` consecutive groups of units with balanced total weight (order kept)."""
    total = sum(u.weight for u in units)
    groups: list[list[SyllabusUnit]] = [[] for _ in range(slots)]
    done = 0.0
    index = 0
    for position, unit in enumerate(units):
        left_units = len(units) - position
        left_slots = slots - index
        if groups[index] and (
            done + unit.weight / 2 > total * (index + 1) / slots or left_units < left_slots
        ):
            index = min(slots - 1, index + 1)
        groups[index].append(unit)
        done += unit.weight
    return [g for g in groups if g]


def _parts(units: list[SyllabusUnit], slots: int) -> list[int]:
    extra = slots - len(units)
    total = sum(u.weight for u in units)
    shares = [extra * u.weight / total for u in units]
    parts = [1 + math.floor(s) for s in shares]
    order = sorted(range(len(units)), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
    for i in order[: slots - sum(parts)]:
        parts[i] += 1
    return parts


def _module(title: str, topics: list[str], weight: float, subject: str) -> OutlineModule:
    return OutlineModule(
        title=label(title, 100),
        objectives=[
            f"Work through {label(title, 80)}",
            f"Summarise the key points of {label(title, 80)} in your own words",
            "Test yourself and note what is still unclear",
        ],
        topics=topics[:6],
        resources=[
            OutlineResource(kind="docs", query=label(f"{title} {subject}", 100)),
            OutlineResource(kind="video", query=label(f"{title} explained", 100)),
        ],
        weight=weight,
        description=f"From your syllabus: {label(title, 200)}.",
    )


def syllabus_outline(units: list[SyllabusUnit], goal: Goal) -> list[OutlineWeek]:
    """One outline week per plan week, the syllabus's units in order."""
    if not units:
        raise SyllabusError("empty")
    if goal.skill_level is None or goal.hours_per_week is None or goal.weeks is None:
        raise ValueError("a plan needs skill_level, hours_per_week and weeks")
    per_week = modules_per_week(float(goal.hours_per_week), goal.skill_level)
    slots = goal.weeks * per_week
    subject = goal_subject(goal.goal)
    modules: list[OutlineModule] = []
    if len(units) >= slots:
        for group in _groups(units, slots):
            title = group[0].title if len(group) == 1 else f"{group[0].title} … {group[-1].title}"
            topics = [u.title for u in group] if len(group) > 1 else group[0].topics
            modules.append(_module(title, topics, sum(u.weight for u in group), subject))
    else:
        for unit, count in zip(units, _parts(units, slots), strict=True):
            for part in range(1, count + 1):
                title = unit.title if count == 1 else f"{unit.title} (part {part} of {count})"
                modules.append(_module(title, unit.topics, unit.weight / count, subject))
    while len(modules) < slots:
        modules.append(modules[-1].model_copy(update={"title": f"Review: {modules[-1].title}"}))
    weeks = []
    for w in range(goal.weeks):
        chunk = modules[w * per_week : (w + 1) * per_week]
        weeks.append(
            OutlineWeek(theme=label(" · ".join(clean(m.title) for m in chunk), 120), modules=chunk)
        )
    return weeks
