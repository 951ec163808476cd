"""The deterministic planner: a complete week-by-week plan from a `Goal`, without an LLM.

`build_plan` is a pure function: the same goal always gives the same plan.

The curriculum is laid out as a sequence of module *slots* (week by week). Each slot's
relative position in the plan picks its phase — foundations → core concepts → hands-on
practice → project → review — with skill-dependent boundaries (beginners spend longer on
foundations, advanced learners on the project). Requested topics are spread over the
learning slots round-robin so every topic is covered; project and review modules combine
all topics.

Skill also sets the pace:

* beginner: ~1.5 h modules (up to 4 a week), a weekly review module when a week has 3+
  modules, difficulty starts at 1 and rises one step every 4 weeks;
* intermediate: ~2 h modules (up to 4), starts at 2, rises every 3 weeks;
* advanced: ~3 h modules (up to 3), starts at 3, rises every 2 weeks.

Resources are only search URLs (built with `urllib.parse.quote_plus`) on well-known sites,
so they never rot and are never invented. Quizzes are generated from the plan itself.

The helpers below (`weekly_target_hours`, `allocate_hours`, `make_quiz`,
`make_milestones`, `module_objectives`, …) are shared with `agent.validator` and
`agent.refine`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal
from urllib.parse import quote_plus

from storage.models import (
    Goal,
    Milestone,
    Module,
    Plan,
    PlanMeta,
    Quiz,
    QuizQuestion,
    Resource,
    ResourceKind,
    SkillLevel,
    Week,
)

Phase = Literal["foundations", "core", "practice", "project", "review"]
PHASES: tuple[Phase, ...] = ("foundations", "core", "practice", "project", "review")
LEARNING_PHASES: frozenset[str] = frozenset({"foundations", "core", "practice"})

PHASE_LABELS: dict[str, str] = {
    "foundations": "Foundations",
    "core": "Core concepts",
    "practice": "Hands-on practice",
    "project": "Project",
    "review": "Review & consolidate",
}

QUESTION_LIMIT = 300
OPTION_LIMIT = 100
EXPLANATION_LIMIT = 200
GOAL_LABEL_LIMIT = 60
SUBJECT_LIMIT = 60
QUERY_LIMIT = 100
HOUR_QUANTA: tuple[float, ...] = (0.25, 0.05, 0.01)
MIN_SHARE = 0.7

SELF_ASSESSMENT_OPTIONS: tuple[str, ...] = (
    "1 – not at all",
    "2 – a little",
    "3 – somewhat",
    "4 – fairly confident",
    "5 – very confident",
)


@dataclass(frozen=True)
class Pace:
    """How a skill level shapes the plan."""

    module_hours: float
    max_modules: int
    start_difficulty: int
    weeks_per_step: int
    phase_ends: tuple[float, float, float, float]
    objectives: int
    weekly_review: bool


PACES: dict[SkillLevel, Pace] = {
    SkillLevel.BEGINNER: Pace(1.5, 4, 1, 4, (0.3, 0.6, 0.8, 0.92), 3, True),
    SkillLevel.INTERMEDIATE: Pace(2.0, 4, 2, 3, (0.15, 0.45, 0.75, 0.93), 3, False),
    SkillLevel.ADVANCED: Pace(3.0, 3, 3, 2, (0.08, 0.3, 0.6, 0.96), 2, False),
}

# ---- text helpers --------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Collapse all whitespace runs to single spaces and strip."""
    return " ".join((text or "").split())


def normalize(text: str | None) -> str:
    """The key used for case-insensitive comparisons (whitespace-collapsed, casefolded)."""
    return clean(text).casefold()


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units) — never less than `len`."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int) -> str:
    """Shorten `text` to at most `limit` UTF-16 units, ending with an ellipsis if cut."""
    if tg_len(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept).rstrip() + "…"


def label(text: str | None, limit: int) -> str:
    return truncate(clean(text), limit)


def unique_by_key(items: Iterable[str]) -> list[str]:
    """Non-blank items, first occurrence per `normalize` key, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = normalize(item)
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def goal_label(goal_text: str | None) -> str:
    return label(goal_text, GOAL_LABEL_LIMIT) or "your goal"


def plan_title(goal_text: str | None, weeks: int) -> str:
    unit = "week" if weeks == 1 else "weeks"
    return f"{goal_label(goal_text)} in {weeks} {unit}"


def join_subject(topics: Sequence[str], fallback: str) -> str:
    """A short label for a list of topics, or `fallback` when there are none."""
    items = [clean(t) for t in unique_by_key(topics)]
    return label(", ".join(items), SUBJECT_LIMIT) if items else fallback


# ---- hours ---------------------------------------------------------------------------


def weekly_target_hours(budget: float) -> float:
    """The hours a full week gets: the budget rounded down to a quantum (0.25 h when that
    stays ≥ 70 % of the budget, else finer), never above the budget."""
    for quantum in HOUR_QUANTA:
        total = round(math.floor(budget / quantum + 1e-9) * quantum, 2)
        if total > 0 and total >= MIN_SHARE * budget and total <= budget + 1e-9:
            return total
    return budget


def allocate_hours(total: float, weights: Sequence[float]) -> list[float] | None:
    """Split `total` into positive parts roughly proportional to `weights`, on the
    coarsest quantum that gives every part at least one quantum. None when impossible."""
    count = len(weights)
    if count == 0 or total <= 0:
        return None
    for quantum in HOUR_QUANTA:
        units = round(total / quantum)
        if abs(units * quantum - total) > 1e-6 or units < count:
            continue
        return [round(u * quantum, 2) for u in _spread_units(units, weights)]
    return None


def _spread_units(units: int, weights: Sequence[float]) -> list[int]:
    """One unit each, the rest by largest remainder of the (non-negative) weights."""
    safe = [max(w, 0.0) for w in weights]
    if sum(safe) <= 0:
        safe = [1.0] * len(weights)
    spare = units - len(weights)
    shares = [spare * w / sum(safe) for w in safe]
    parts = [1 + math.floor(s) for s in shares]
    left = units - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def modules_per_week(budget: float, skill: SkillLevel) -> int:
    pace = PACES[skill]
    count = max(1, min(pace.max_modules, int(budget / pace.module_hours + 0.5)))
    while count > 1 and allocate_hours(weekly_target_hours(budget), [1.0] * count) is None:
        count -= 1
    return count


# ---- difficulty and phases -------------------------------------------------------------


def planned_difficulty(week: int, skill: SkillLevel) -> int:
    pace = PACES[skill]
    return min(5, pace.start_difficulty + (week - 1) // pace.weeks_per_step)


def phase_at(position: float, skill: SkillLevel) -> Phase:
    """The phase for a relative position in the plan (0 = start, 1 = end)."""
    for phase, end in zip(PHASES, PACES[skill].phase_ends, strict=False):
        if position < end:
            return phase
    return "review"


# ---- module content --------------------------------------------------------------------

_GENERIC_SUBTOPICS: dict[str, tuple[str, ...]] = {
    "foundations": ("key terms and ideas", "tools and setup", "first worked examples"),
    "core": ("central ideas", "common patterns", "typical mistakes"),
    "practice": ("guided exercises", "problem solving", "debugging and troubleshooting"),
    "project": ("project planning", "building the project", "polishing and sharing"),
    "review": ("self-testing", "filling the gaps"),
}

_OBJECTIVES: dict[str, tuple[str, ...]] = {
    "foundations": (
        "Explain the key terms and ideas of {s}",
        "Set up the tools you need to work with {s}",
        "Work through a first guided example of {s}",
    ),
    "core": (
        "Describe how the core concepts of {s} fit together",
        "Apply {s} in short exercises",
        "Compare common approaches to {s} and when to use each",
    ),
    "practice": (
        "Solve practice problems on {s} without a walkthrough",
        "Build a small exercise that uses {s}",
        "Debug and explain your own solutions",
    ),
    "project": (
        "Plan a small project that applies {s}",
        "Implement a working first version of the project",
        "Present what you built and what you would improve",
    ),
    "review": (
        "Summarise the main ideas of {s} from memory",
        "Redo the exercises on {s} you found hardest",
        "Test yourself and write down the remaining gaps",
    ),
}

_DESCRIPTIONS: dict[str, str] = {
    "foundations": (
        "Build a solid base in {s}: learn the vocabulary, set up your tools and follow "
        "a worked example."
    ),
    "core": "Study the central ideas of {s} and check your understanding with short exercises.",
    "practice": "Practise {s} hands-on: solve problems on your own and fix your mistakes.",
    "project": "Apply {s} in a small project of your own, from plan to working result.",
    "review": "Consolidate {s}: recall the key ideas, revisit weak spots and test yourself.",
}

_RESOURCE_KINDS: dict[str, tuple[ResourceKind, ...]] = {
    "foundations": ("docs", "video", "book"),
    "core": ("docs", "course", "video"),
    "practice": ("practice", "video", "docs"),
    "project": ("practice", "docs", "course"),
    "review": ("book", "practice", "video"),
}

HANDS_ON_OBJECTIVE = "Practise {s} hands-on with a small exercise of your own"


def module_objectives(phase: str, subject: str, count: int = 3) -> list[str]:
    templates = _OBJECTIVES.get(phase, _OBJECTIVES["core"])
    return [t.format(s=subject) for t in templates[: max(1, count)]]


def module_description(phase: str, subject: str) -> str:
    return _DESCRIPTIONS.get(phase, _DESCRIPTIONS["core"]).format(s=subject)


_GOAL_PREAMBLE = re.compile(
    r"^(?:i\s+(?:want|would\s+like|need)\s+to\s+|i'd\s+like\s+to\s+)?"
    r"(?:learn(?:ing)?(?:\s+how)?(?:\s+to)?|how\s+to|master|study|understand"
    r"|get\s+(?:better|good)\s+at|improve(?:\s+my)?)"
    r"\s+(?=\S)",
    re.IGNORECASE,
)


def goal_subject(goal_text: str | None) -> str:
    """The goal without a leading "learn"/"I want to learn"…, for titles and searches."""
    text = clean(goal_text)
    return label(_GOAL_PREAMBLE.sub("", text, count=1), GOAL_LABEL_LIMIT) or goal_label(text)


def _with_suffix(text: str, suffix: str) -> str:
    return text if normalize(suffix) in normalize(text) else f"{text} {suffix}"


def _broad_query(subject: str, context: str) -> str:
    if not clean(context) or normalize(context) in normalize(subject):
        return label(subject, QUERY_LIMIT)
    return label(f"{subject} {context}", QUERY_LIMIT)


@dataclass(frozen=True)
class _Search:
    url: str
    title: str
    suffix: str = ""
    broad: bool = True


_SEARCHES: dict[str, _Search] = {
    "wikipedia": _Search(
        "https://en.wikipedia.org/w/index.php?search={q}", "Wikipedia", broad=False
    ),
    "docs": _Search("https://duckduckgo.com/?q={q}", "Documentation search", "documentation"),
    "video": _Search("https://www.youtube.com/results?search_query={q}", "YouTube", "tutorial"),
    "course": _Search("https://www.coursera.org/search?query={q}", "Coursera", broad=False),
    "book": _Search("https://openlibrary.org/search?q={q}", "Open Library books", broad=False),
    "practice": _Search(
        "https://github.com/search?q={q}&type=repositories", "GitHub practice", "exercises"
    ),
}


def make_resource(
    kind: ResourceKind, subject: str, context: str = "", phase: str = "core"
) -> Resource:
    """A search-URL resource of the given kind — never a guessed link.

    Catalogue sites (Wikipedia, Coursera, Open Library) are searched for the bare
    `subject`; broad searches (DuckDuckGo, YouTube, GitHub) add the `context` (the goal)
    and a hint such as "tutorial".
    """
    subject = label(subject, QUERY_LIMIT) or label(context, QUERY_LIMIT) or "learning"
    wiki = kind == "docs" and phase in ("foundations", "review")
    search = _SEARCHES["wikipedia" if wiki else kind]
    text = _broad_query(subject, context) if search.broad else subject
    query = _with_suffix(text, search.suffix) if search.suffix else text
    url = search.url.format(q=quote_plus(query))
    return Resource(kind=kind, title=truncate(f"{search.title}: {text}", OPTION_LIMIT), url=url)


def search_resource(kind: ResourceKind, query: str) -> Resource:
    """A resource for a search query (from a curriculum, an outline or a syllabus): the
    link is a search on a well-known site, built here — never a URL someone wrote."""
    text = label(query, QUERY_LIMIT) or "learning"
    search = _SEARCHES[kind]
    url = search.url.format(q=quote_plus(text))
    return Resource(kind=kind, title=truncate(f"{search.title}: {text}", OPTION_LIMIT), url=url)


def module_resources(phase: str, subject: str, context: str = "") -> list[Resource]:
    kinds = _RESOURCE_KINDS.get(phase, _RESOURCE_KINDS["core"])
    return [make_resource(kind, subject, context, phase) for kind in kinds]


def make_module(
    module_id: str,
    phase: str,
    topics: Sequence[str],
    goal_text: str | None,
    hours: float,
    difficulty: int,
    title: str | None = None,
) -> Module:
    """A complete module on `topics` (or on the goal itself when there are none)."""
    goal = goal_subject(goal_text)
    topics = unique_by_key(clean(t) for t in topics)
    subject = join_subject(topics, goal)
    context = goal if topics else ""
    return Module(
        id=module_id,
        title=title or f"{PHASE_LABELS.get(phase, PHASE_LABELS['core'])}: {subject}",
        description=module_description(phase, subject),
        hours=hours,
        difficulty=max(1, min(5, difficulty)),
        objectives=module_objectives(phase, subject),
        topics=topics,
        resources=module_resources(phase, subject, context),
    )


def phase_of_title(title: str) -> str | None:
    """The phase a planner-style title starts with ("Foundations: …", "Extra review: …")."""
    key = normalize(title).removeprefix("extra ")
    if re.match(r"week \d+ review", key):
        return "review"
    prefixes = (
        ("foundations", "foundations"),
        ("core concepts", "core"),
        ("hands-on practice", "practice"),
        ("project", "project"),
        ("build a project", "project"),
        ("review", "review"),
    )
    return next((phase for prefix, phase in prefixes if key.startswith(prefix)), None)


def infer_phase(title: str, week_number: int, weeks: int, skill: SkillLevel) -> str:
    """A module's phase: from its title when planner-style, else from its week's position."""
    position = (week_number - 0.5) / max(1, weeks)
    return phase_of_title(title) or phase_at(position, skill)


# ---- slots: the skeleton of the curriculum ----------------------------------------------


@dataclass
class _Slot:
    week: int
    index: int
    phase: Phase
    weekly_review: bool = False
    topics: list[str] = field(default_factory=list)
    subtopic: str = ""


def _layout(weeks: int, per_week: int, skill: SkillLevel) -> list[_Slot]:
    total = weeks * per_week
    slots: list[_Slot] = []
    for k in range(total):
        week, index = divmod(k, per_week)
        slots.append(_Slot(week + 1, index, phase_at((k + 0.5) / total, skill)))
    if PACES[skill].weekly_review and per_week >= 3:
        for slot in slots:
            if slot.index == per_week - 1 and slot.phase in LEARNING_PHASES:
                slot.weekly_review = True
    return slots


def _assign_topics(slots: list[_Slot], topics: list[str]) -> None:
    learning = [s for s in slots if s.phase in LEARNING_PHASES and not s.weekly_review]
    if not learning:
        learning = slots[:1]
    for j, slot in enumerate(learning):
        if len(topics) > len(learning):
            slot.topics = topics[j :: len(learning)]
        elif topics:
            slot.topics = [topics[j % len(topics)]]
    for slot in slots:
        if slot.topics:
            continue
        if slot.weekly_review:
            mates = [s for s in slots if s.week == slot.week and s is not slot]
            slot.topics = unique_by_key(t for s in mates for t in s.topics)
        else:
            slot.topics = list(topics)


def _assign_subtopics(slots: list[_Slot]) -> None:
    counters: dict[str, int] = {}
    for slot in slots:
        key = "review" if slot.weekly_review else slot.phase
        options = _GENERIC_SUBTOPICS[key]
        slot.subtopic = options[counters.get(key, 0) % len(options)]
        counters[key] = counters.get(key, 0) + 1


def _slot_title(slot: _Slot, goal: str, has_topics: bool) -> str:
    subject = join_subject(slot.topics, goal)
    if slot.weekly_review:
        return f"Week {slot.week} review: {subject}"
    if not has_topics:
        base = {
            "foundations": f"Foundations of {goal}",
            "core": f"Core concepts of {goal}",
            "practice": f"Hands-on practice: {goal}",
            "project": f"Build a project: {goal}",
            "review": f"Review & consolidate: {goal}",
        }[slot.phase]
        return f"{base} — {slot.subtopic}"
    if slot.phase == "project":
        return f"Project: apply {subject}"
    return f"{PHASE_LABELS[slot.phase]}: {subject}"


def _dedupe_titles(titles: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for title in titles:
        key = normalize(title)
        seen[key] = seen.get(key, 0) + 1
        out.append(title if seen[key] == 1 else f"{title} (part {seen[key]})")
    return out


def _slot_module(
    slot: _Slot, title: str, hours: float, goal: Goal, skill: SkillLevel, has_topics: bool
) -> Module:
    goal_text = goal_subject(goal.goal)
    subject = join_subject(slot.topics, goal_text) if has_topics else goal_text
    phase: Phase = "review" if slot.weekly_review else slot.phase
    difficulty = planned_difficulty(slot.week, skill)
    if slot.weekly_review:
        difficulty = max(1, difficulty - 1)
    topics = list(slot.topics) if has_topics else [slot.subtopic]
    context = goal_text if has_topics else slot.subtopic
    return Module(
        id=f"w{slot.week}m{slot.index + 1}",
        title=title,
        description=module_description(phase, subject),
        hours=hours,
        difficulty=difficulty,
        objectives=module_objectives(phase, subject, PACES[skill].objectives),
        topics=topics,
        resources=module_resources(phase, subject, context),
    )


def week_theme(phases: Iterable[str]) -> str:
    return " & ".join(unique_by_key(PHASE_LABELS[p] for p in phases))


# ---- quizzes -------------------------------------------------------------------------


def _nearest_weeks(plan: Plan, index: int) -> list[Week]:
    others = [i for i in range(len(plan.weeks)) if i != index]
    return [plan.weeks[i] for i in sorted(others, key=lambda i: (abs(i - index), i))]


def _choice_question(
    question: str, correct: str, distractors: Sequence[str], seed: int, explanation: str
) -> QuizQuestion | None:
    options = unique_by_key([correct, *distractors])[:4]
    if len(options) < 2 or normalize(options[0]) != normalize(correct):
        return None
    position = seed % len(options)
    options.insert(position, options.pop(0))
    return QuizQuestion(
        question=truncate(question, QUESTION_LIMIT),
        options=options,
        correct_index=position,
        explanation=truncate(explanation, EXPLANATION_LIMIT),
    )


def _distractors(candidates: Iterable[str], taken: Iterable[str], limit: int = 3) -> list[str]:
    """The first `limit` distinct option labels among `candidates` that are not `taken`.

    Consumes `candidates` lazily, so long plans stay cheap."""
    seen = {normalize(t) for t in taken}
    out: list[str] = []
    for candidate in candidates:
        option = label(candidate, OPTION_LIMIT)
        key = normalize(option)
        if key and key not in seen:
            seen.add(key)
            out.append(option)
            if len(out) == limit:
                break
    return out


def _modules_near(plan: Plan, index: int) -> Iterator[Module]:
    """Modules of the other weeks, nearest week first."""
    return (m for w in _nearest_weeks(plan, index) for m in w.modules)


def _topic_question(plan: Plan, index: int) -> QuizQuestion | None:
    week = plan.weeks[index]
    own = unique_by_key(label(t, OPTION_LIMIT) for m in week.modules for t in m.topics)
    if not own:
        return None
    others = (t for m in _modules_near(plan, index) for t in m.topics)
    return _choice_question(
        f"Which of these was a topic of week {week.number}?",
        own[0],
        _distractors(others, own),
        week.number,
        f"Week {week.number} covered: {', '.join(own)}.",
    )


def _order_question(plan: Plan, index: int) -> QuizQuestion | None:
    week = plan.weeks[index]
    if not week.modules:
        return None
    first = label(week.modules[0].title, OPTION_LIMIT)
    titles = (m.title for m in [*week.modules[1:], *_modules_near(plan, index)])
    return _choice_question(
        f"Which module comes first in week {week.number}?",
        first,
        _distractors(titles, [first]),
        week.number + 1,
        f"Week {week.number} starts with “{truncate(first, 150)}”.",
    )


def _objective_question(plan: Plan, index: int) -> QuizQuestion | None:
    week = plan.weeks[index]
    candidates = [m for m in week.modules if unique_by_key(m.objectives)]
    if not candidates:
        return None
    module = candidates[(week.number - 1) % len(candidates)]
    own = unique_by_key(label(o, OPTION_LIMIT) for o in module.objectives)
    pool = chain((m for m in week.modules if m is not module), _modules_near(plan, index))
    return _choice_question(
        f"Which of these is a learning objective of “{label(module.title, 200)}”?",
        own[0],
        _distractors((o for m in pool for o in m.objectives), own),
        week.number + 2,
        f"“{truncate(own[0], 150)}” is an objective of this module.",
    )


def self_assessment(question: str) -> QuizQuestion:
    return QuizQuestion(
        question=truncate(question, QUESTION_LIMIT),
        options=list(SELF_ASSESSMENT_OPTIONS),
        correct_index=None,
    )


def make_quiz(plan: Plan, week_number: int) -> Quiz:
    """2–3 questions about week `week_number`, derived from the plan's own content.

    Factual questions have exactly one correct option; self-assessment questions
    (correct_index=None) fill up when fewer than two factual questions are possible.
    """
    index = next(i for i, w in enumerate(plan.weeks) if w.number == week_number)
    builders = (_topic_question, _order_question, _objective_question)
    questions = [q for build in builders if (q := build(plan, index)) is not None][:3]
    week = plan.weeks[index]
    if len(questions) < 2:
        questions.append(self_assessment(f"How confident do you feel about week {week_number}?"))
    if len(questions) < 2:
        first = label(week.modules[0].title, 200) if week.modules else "this week's material"
        questions.append(self_assessment(f"How well could you explain “{first}” to a friend?"))
    return Quiz(questions=questions)


# ---- milestones --------------------------------------------------------------------------


def milestone_weeks(weeks: int) -> list[int]:
    """Every 2 (short plans) or 3 weeks, plus the final week, avoiding a 1-week tail."""
    step = 2 if weeks <= 6 else 3
    marks = [*range(step, weeks, step), weeks]
    if len(marks) >= 2 and weeks - marks[-2] == 1:
        previous = marks[-3] if len(marks) >= 3 else 0
        if weeks - previous <= 4:
            marks.pop(-2)
    return marks


def _covered_ids(plan: Plan, after: int, upto: int) -> list[str]:
    return [m.id for w in plan.weeks if after < w.number <= upto for m in w.modules]


def _milestone_title(plan: Plan, index: int, start: int, end: int, final: bool) -> str:
    if final:
        return truncate(f"Final milestone: {goal_label(plan.goal)} — plan complete", 200)
    span = f"week {end}" if start == end else f"weeks {start}–{end}"
    theme = next((clean(w.theme) for w in plan.weeks if w.number == end), "")
    return truncate(f"Milestone {index}: {span} done" + (f" ({theme})" if theme else ""), 200)


def make_milestones(plan: Plan) -> list[Milestone]:
    """Fresh milestones for `plan`, each covering all modules since the previous one."""
    weeks = len(plan.weeks)
    marks = milestone_weeks(weeks)
    out: list[Milestone] = []
    previous = 0
    for i, mark in enumerate(marks, start=1):
        title = _milestone_title(plan, i, previous + 1, mark, mark == weeks)
        out.append(Milestone(week=mark, title=title, module_ids=_covered_ids(plan, previous, mark)))
        previous = mark
    return out


def milestone_layout_ok(milestones: Sequence[Milestone], weeks: int) -> bool:
    marks = [m.week for m in milestones]
    if not marks or marks != sorted(set(marks)) or marks[-1] != weeks or marks[0] < 1:
        return False
    gaps = [b - a for a, b in zip([0, *marks], marks, strict=False)]
    return max(gaps) <= 4


def refresh_milestones(plan: Plan) -> list[Milestone]:
    """Keep the milestone weeks and titles when their layout is still valid, but recompute
    which modules each covers; otherwise make fresh milestones."""
    if not milestone_layout_ok(plan.milestones, len(plan.weeks)):
        return make_milestones(plan)
    out: list[Milestone] = []
    previous = 0
    for milestone in plan.milestones:
        ids = _covered_ids(plan, previous, milestone.week)
        out.append(milestone.model_copy(update={"module_ids": ids}))
        previous = milestone.week
    return out


# ---- the planner ------------------------------------------------------------------------


def _require_complete(goal: Goal) -> tuple[SkillLevel, float, int]:
    if goal.skill_level is None or goal.hours_per_week is None or goal.weeks is None:
        raise ValueError("build_plan needs skill_level, hours_per_week and weeks")
    if goal.hours_per_week <= 0 or goal.weeks < 1:
        raise ValueError("hours_per_week must be > 0 and weeks ≥ 1")
    return goal.skill_level, float(goal.hours_per_week), int(goal.weeks)


def build_plan(goal: Goal) -> Plan:
    """A complete, valid plan for a complete goal — deterministic, no I/O."""
    skill, budget, weeks = _require_complete(goal)
    per_week = modules_per_week(budget, skill)
    hours = allocate_hours(weekly_target_hours(budget), [1.0] * per_week) or [budget]
    topics = unique_by_key(clean(t) for t in goal.topics)
    goal_text = goal_subject(goal.goal)
    slots = _layout(weeks, per_week, skill)
    _assign_topics(slots, topics)
    _assign_subtopics(slots)
    titles = _dedupe_titles([_slot_title(s, goal_text, bool(topics)) for s in slots])
    week_list = [Week(number=n) for n in range(1, weeks + 1)]
    for slot, title in zip(slots, titles, strict=True):
        week = week_list[slot.week - 1]
        module = _slot_module(slot, title, hours[slot.index], goal, skill, bool(topics))
        week.modules.append(module)
    for week in week_list:
        phases = [s.phase for s in slots if s.week == week.number and not s.weekly_review]
        week.theme = week_theme(phases or ["review"])
    plan = Plan(
        title=plan_title(goal.goal, weeks),
        goal=goal.goal or "",
        skill_level=skill,
        hours_per_week=budget,
        weeks=week_list,
        topics=list(goal.topics),
        meta=PlanMeta(planner="deterministic"),
    )
    for week in plan.weeks:
        week.quiz = make_quiz(plan, week.number)
    plan.milestones = make_milestones(plan)
    return plan
