"""The progress actions on a user's plan: marking modules done (one, several or a whole
week), partial work and logged time, reverting them, and the streaks, milestones and
achievements they earn (each told once)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from agent import texts
from agent.nodes.common import reply
from agent.nodes.progress_report import (
    current_week,
    done_ids_of,
    format_days,
    format_minutes,
    module_label,
    streak_of,
    week_of,
)
from agent.progress import (
    achievements,
    completed_milestones,
    next_module,
    spent_by_week,
)
from agent.review_items import sync_objectives
from storage.models import Module
from storage.progress import (
    Activity,
    PlanContext,
    announced_path,
    freeze_path,
    mark_once,
    module_key,
    raise_longest_streak,
    record_done,
    record_done_telling,
    record_work,
    revert_done,
    revert_work,
)
from storage.progress_doc import ProgressDoc, load_progress
from storage.session_status import mark_module_sessions
from storage.store import Store

MAX_MINUTES = 24 * 60

ACHIEVEMENT_TEXT = {
    "first_module": "🏅 Achievement unlocked: your first module is done — great start!",
    "streak_7": "🔥 Achievement unlocked: a 7-day streak!",
    "half_way": "🌓 Achievement unlocked: half-way through your plan!",
    "plan_complete": "🎉 Achievement unlocked: plan complete — you finished every module!",
}
ACHIEVEMENT_ORDER = ("first_module", "streak_7", "half_way", "plan_complete")


# --------------------------------------------------------------------------- celebrations


def _earned(
    doc: ProgressDoc, pc: PlanContext, now: datetime, told: frozenset[str] = frozenset()
) -> tuple[int, list[tuple[str, str]]]:
    """What ``doc`` earns: the longest streak, and in order (streak freezes used,
    milestones reached, achievements) each announcement's (`mark_once` path, line) that
    is still to tell — not marked in ``doc``, or marked by this turn's write (``told``)."""
    streak, days = streak_of(doc, pc, now)
    due: list[tuple[str, str]] = []
    latest = days[-1] if days else None
    for day in streak.frozen_days:
        if latest is not None and day < latest:
            due.append(
                (
                    freeze_path(day),
                    f"🧊 You missed {day.strftime('%a %d %b')}, and a streak freeze covered "
                    "it (one missed day in 7 is forgiven). Your streak lives on: "
                    f"{format_days(streak.current)}.",
                )
            )
    done_ids = done_ids_of(doc, pc)
    for milestone in completed_milestones(pc.plan, done_ids):
        path = announced_path(pc.lineage, f"ms_{milestone.week}")
        due.append((path, f"🏁 Milestone reached: {milestone.title}! Well done."))
    earned = achievements(pc.plan, done_ids, streak)
    for name in ACHIEVEMENT_ORDER:
        if name in earned:
            due.append((announced_path(pc.lineage, name), ACHIEVEMENT_TEXT[name]))
    return streak.longest, [(p, line) for p, line in due if p in told or not doc.has(p)]


async def _celebrations(
    store: Store,
    uid: int,
    pc: PlanContext,
    now: datetime,
    doc: ProgressDoc | None = None,
    told: frozenset[str] = frozenset(),
) -> list[str]:
    """Streak freezes used, milestones reached and achievements earned — each told once.
    ``doc``: the progress document as read after this turn's last change to it;
    ``told``: the announcements that change marked (`record_done_telling`). Each other
    one still to tell is marked on its own (`mark_once`): told if this turn marked it."""
    doc = doc or await load_progress(store, uid)
    longest, due = _earned(doc, pc, now, told)
    if longest > doc.longest_streak():
        await raise_longest_streak(store, uid, longest)
    return [line for path, line in due if path in told or await mark_once(store, uid, path)]


def _streak_line(doc: ProgressDoc, pc: PlanContext, now: datetime) -> str:
    streak, _ = streak_of(doc, pc, now)
    return f"🔥 {streak.current}-day streak." if streak.current >= 2 else ""


# --------------------------------------------------------------------------- actions


@dataclass
class Progress:
    """One run's view of the user's plan and progress, and the actions on them."""

    store: Store
    uid: int
    pc: PlanContext
    now: datetime

    def activity(self, kind: str, module: Module | None, minutes: int | None) -> Activity:
        week = week_of(self.pc.plan, module.id) if module else None
        return Activity(
            kind=kind,
            plan=self.pc.lineage,
            at=self.now,
            tz=self.pc.timezone,
            module_id=module.id if module else None,
            week=week,
            minutes=min(max(int(minutes or 0), 0), MAX_MINUTES),
        )

    async def doc(self) -> ProgressDoc:
        return await load_progress(self.store, self.uid)

    async def complete(self, module: Module, minutes: int | None) -> list[dict[str, Any]]:
        activity = self.activity("done", module, minutes)
        # What the completion earns (a longer streak, announcements) is judged from the
        # turn's read of the progress and written with the completion, in one command.
        before = await self.doc()
        longest, due = _earned(before.with_done(activity, module.title), self.pc, self.now)
        told = await record_done_telling(
            self.store,
            self.uid,
            activity,
            module.title,
            once=[path for path, _ in due],
            longest=longest if longest > before.longest_streak() else 0,
        )
        if told is None:
            text = f"{module_label(self.pc.plan, module)} is already marked done ✓"
            if minutes:
                text += f" To add the time, say “log {format_minutes(minutes)} {module.id}”."
            return [reply(text)]
        await mark_module_sessions(self.store, self.uid, self.pc.version, module.id, "done")
        doc = await self.doc()
        await sync_objectives(self.store, self.uid, pc=self.pc, progress=doc)
        lines = [f"✅ Marked {module_label(self.pc.plan, module)} done."]
        if activity.minutes:
            lines.append(f"⏱ {format_minutes(activity.minutes)} logged.")
        else:
            lines.append(f"How long did it take? Say e.g. “log 45m {module.id}”.")
        streak = _streak_line(doc, self.pc, self.now)
        if streak:
            lines.append(streak)
        upcoming = next_module(self.pc.plan, done_ids_of(doc, self.pc))
        if upcoming is not None:
            lines.append(f"Next: {module_label(self.pc.plan, upcoming)}.")
        undo = [[{"label": "↩ Undo", "data": f"pg:u:{activity.id}"}]]
        return [reply(" ".join(lines), buttons=undo), *await self.celebrate(doc, told)]

    async def complete_week(self, week_number: int) -> list[dict[str, Any]]:
        week = next((w for w in self.pc.plan.weeks if w.number == week_number), None)
        if week is None:
            return [reply(texts.NO_SUCH_WEEK.format(weeks=len(self.pc.plan.weeks)))]
        counted = []
        for module in week.modules:
            if await record_done(
                self.store, self.uid, self.activity("done", module, 0), module.title
            ):
                await mark_module_sessions(self.store, self.uid, self.pc.version, module.id, "done")
                counted.append(module.title)
        if not counted:
            return [reply(f"Every module of week {week_number} is already marked done ✓")]
        await sync_objectives(self.store, self.uid)
        text = f"✅ Marked {len(counted)} module(s) of week {week_number} done: " + ", ".join(
            f"“{t}”" for t in counted
        )
        return [reply(text + "."), *await self.celebrate()]

    async def complete_several(
        self, modules: list[Module], minutes: int | None
    ) -> list[dict[str, Any]]:
        """ "ec2 and ebs both done": each named module is marked done; time stated for
        all of them is shared out evenly."""
        share = (minutes or 0) // len(modules) if modules else 0
        counted, already = [], []
        for module in modules:
            activity = self.activity("done", module, share)
            if await record_done(self.store, self.uid, activity, module.title):
                await mark_module_sessions(self.store, self.uid, self.pc.version, module.id, "done")
                counted.append(module)
            else:
                already.append(module)
        if not counted:
            return [reply("Those modules are already marked done ✓")]
        await sync_objectives(self.store, self.uid)
        lines = [
            f"✅ Marked {len(counted)} modules done: "
            + ", ".join(module_label(self.pc.plan, m) for m in counted)
            + "."
        ]
        if already:
            lines.append("Already done: " + ", ".join(f"“{m.title}”" for m in already) + ".")
        if share:
            lines.append(f"⏱ {format_minutes(share)} logged on each.")
        upcoming = next_module(self.pc.plan, done_ids_of(await self.doc(), self.pc))
        if upcoming is not None:
            lines.append(f"Next: {module_label(self.pc.plan, upcoming)}.")
        return [reply(" ".join(lines)), *await self.celebrate()]

    async def work(self, kind: str, module: Module | None, minutes: int | None) -> list[dict]:
        """Partial work or logged time."""
        if kind == "log" and not minutes:
            return [reply("How long did you study? Say e.g. “/log 1h30 LoRA” or “log 45m”.")]
        if module is None and kind == "partial":
            return [reply("Every module is already done — nothing to mark as partly done.")]
        activity = self.activity(kind, module, minutes)
        if module is None:
            week = current_week(self.pc, done_ids_of(await self.doc(), self.pc))
            activity = replace(activity, week=week)
        await record_work(self.store, self.uid, activity)
        doc = await self.doc()
        undo = [[{"label": "↩ Undo", "data": f"pg:u:{activity.id}"}]]
        return [
            reply(self._work_text(doc, activity, module), buttons=undo),
            *await self.celebrate(doc),
        ]

    def _work_text(self, doc: ProgressDoc, activity: Activity, module: Module | None) -> str:
        lineage = self.pc.lineage
        spent = format_minutes(activity.minutes)
        if activity.kind == "partial":
            assert module is not None
            text = f"📝 Noted partial progress on {module_label(self.pc.plan, module)}"
            text += f" ({spent})." if activity.minutes else "."
            if module.id in doc.done(lineage):
                return text + " It is already marked done."
            return text + " Say “done” when you finish it."
        on = f" on {module_label(self.pc.plan, module)}" if module else ""
        parts = [f"⏱ Logged {spent}{on}."]
        if module is not None:
            total = doc.minutes_by_key(lineage).get(module_key(module.id), 0)
            parts.append(f"So far: {format_minutes(total)} on this module")
        week = activity.week
        if week is not None:
            week_total = spent_by_week(self.pc.plan, doc, lineage).get(week, 0)
            parts.append(f"{format_minutes(week_total)} in week {week}")
        parts.append(f"{format_minutes(doc.minutes_total(lineage))} on the plan.")
        return parts[0] + " " + ", ".join(parts[1:])

    async def revert(self, target: Activity) -> list[dict[str, Any]]:
        module = self.pc.plan.find_module(target.module_id) if target.module_id else None
        name = (
            module_label(self.pc.plan, module) if module else f"“{target.module_id or 'the plan'}”"
        )
        if target.kind == "done":
            if not await revert_done(self.store, self.uid, target, self.now):
                return [reply("That was already undone.")]
            await mark_module_sessions(
                self.store, self.uid, self.pc.version, str(target.module_id), "planned"
            )
            text = f"↩ {name} is no longer marked done"
            if target.minutes:
                text += f" ({format_minutes(target.minutes)} taken back)"
            return [reply(text + ".")]
        if not await revert_work(self.store, self.uid, target, self.now):
            return [reply("That was already undone.")]
        what = "partial progress" if target.kind == "partial" else "the time logged"
        minutes = f" ({format_minutes(target.minutes)})" if target.minutes else ""
        return [reply(f"↩ Took back {what}{minutes} on {name}.")]

    async def celebrate(
        self, doc: ProgressDoc | None = None, told: frozenset[str] = frozenset()
    ) -> list[dict[str, Any]]:
        """``doc``: the progress document as read after this turn's last change to it;
        ``told``: the announcements that change marked."""
        lines = await _celebrations(self.store, self.uid, self.pc, self.now, doc, told)
        return [reply(line) for line in lines]
