"""Progress chart rendered to PNG bytes.

Uses matplotlib's object-oriented `Figure` API (no pyplot, no global state), so it is safe
to call from worker threads. The figure is 1000×700 px: the top panel compares planned hours
with the time actually spent per week; the bottom panel is a streak strip of the last four
calendar weeks (Mon–Sun columns, oldest week on top), with study days filled, frozen days
hatched, future days and days before the plan started faint, and today outlined. The same
figures are written into the PNG's ``Description`` text, for screen readers and tests.

User text (the title) is rendered literally: math parsing and TeX are off, so "$" is
just a dollar sign, control characters are dropped, and characters the bundled font cannot
draw are dropped (symbols and emoji) or shown as "□" (letters), instead of producing
missing-glyph warnings.

Speed: the figure, its axes and legends are built once and the background under the data
(frames, ticks, grid, legends) is cached per axes' limits; the texts that change from chart
to chart are drawn by PIL (`_Label`); the bot renders on one chart thread, warmed up at
start-up (`render_progress_chart`, `warm_up_in_background`).
"""

from __future__ import annotations

import asyncio
import functools
import io
import math
import threading
import unicodedata
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import ScaledTranslation
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from agent.progress import ProgressSummary

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 7.0, 100
FONT_FAMILY = "DejaVu Sans"
TITLE_MAX_CHARS = 80
STRIP_WEEKS = 4
BACKGROUNDS = 8  # cached per thread (≈2.8 MB each), by plan length and the hours axis' top
TITLE_PAD = 6.0  # points between an axes and its title (matplotlib's axes.titlepad)
NICE_TOPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)  # × a power of ten

PLANNED_COLOR = "#c7d2fe"
DONE_COLOR = "#4f46e5"
STUDY_COLOR = "#22c55e"
MISSED_COLOR = "#e5e7eb"
FROZEN_COLOR = "#bae6fd"
EDGE_COLOR = "#9ca3af"
TODAY_EDGE = "#111827"
TEXT_COLOR = "#374151"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --------------------------------------------------------------------------- safe text


@lru_cache(maxsize=1)
def _drawable_codepoints() -> frozenset[int]:
    """Code points the chart font has glyphs for."""
    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY))
    return frozenset(FT2Font(path).get_charmap())


def safe_text(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """`text` made safe to draw literally: one line, no control or format characters,
    no glyphs the font lacks, at most `limit` characters (ellipsis when cut)."""
    drawable = _drawable_codepoints()
    out: list[str] = []
    for ch in " ".join(str(text).split()):
        category = unicodedata.category(ch)
        if category[0] == "C":
            continue
        if ord(ch) in drawable:
            out.append(ch)
        elif category[0] not in "SM":
            out.append("□")
    cleaned = " ".join("".join(out).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _text_kwargs() -> dict[str, object]:
    return {"usetex": False, "parse_math": False, "family": FONT_FAMILY, "color": TEXT_COLOR}


@lru_cache(maxsize=8)
def _pil_font(points: float, weight: str = "normal") -> ImageFont.FreeTypeFont:
    """The chart font at `points` for `DPI`, as PIL draws it."""
    props = font_manager.FontProperties(family=FONT_FAMILY, weight=weight)
    return ImageFont.truetype(font_manager.findfont(props), points * DPI / 72)


class _Label:
    """A line of text that changes from chart to chart (title, summary, week labels),
    drawn by PIL on the finished image: matplotlib 3.11 lays out and rasterises each
    glyph in Python, which was half of a warm render; PIL's FreeType does it in C with
    the same font. Placed as matplotlib places text: ``x`` at the left, centre or right
    (``align`` l/m/r) of the line, ``y`` at the centre of its "lp" box."""

    def __init__(self, points: float, align: str, weight: str = "normal") -> None:
        self.font = _pil_font(points, weight)
        self.align = align
        _, top, _, bottom = self.font.getbbox("lp", anchor="ls")
        self._baseline = -(top + bottom) / 2  # from the box's centre down to the baseline
        self.xy = (0.0, 0.0)
        self.text = ""

    def place(self, x: float, y: float) -> None:
        """Anchor at (x, y) in pixels from the top left."""
        self.xy = (x, y + self._baseline)

    def draw(self, draw: ImageDraw.ImageDraw) -> None:
        if self.text:
            draw.text(self.xy, self.text, font=self.font, fill=TEXT_COLOR, anchor=self.align + "s")


# --------------------------------------------------------------------------- panels


def _summary_line(summary: ProgressSummary) -> str:
    parts = [
        f"{summary.percent:.0f}% done",
        f"{summary.modules_done}/{summary.modules_total} modules",
        f"{summary.hours_spent:.1f} h spent of {summary.hours_planned:g} h planned",
        f"streak {summary.current_streak} (best {summary.longest_streak})",
    ]
    if summary.quiz_average is not None:
        parts.append(f"quiz {summary.quiz_average:.0f}%")
    return "  ·  ".join(parts)


def _week_ticks(count: int) -> list[int]:
    """At most ~13 week labels, always including week 1 and the last week."""
    step = max(1, -(-count // 13))
    ticks = list(range(1, count + 1, step))
    if ticks and ticks[-1] != count:
        ticks.append(count)
    return ticks


def _bars(
    lefts: list[float], heights: list[float], width: float
) -> list[list[tuple[float, float]]]:
    """Bars as the polygons of one collection: `Axes.bar` adds a patch per bar and
    recomputes the data limits for each (limits are set explicitly anyway)."""
    return [
        [(x, 0.0), (x + width, 0.0), (x + width, h), (x, h)]
        for x, h in zip(lefts, heights, strict=True)
        if h > 0
    ]


def _nice_top(value: float) -> float:
    """The hours axis' top: the next round number at or above `value`, so that plans
    of similar weekly hours share one cached background."""
    scale = 10.0 ** math.floor(math.log10(value))
    return next((t * scale for t in NICE_TOPS if t * scale >= value), 10.0 * scale)


def _strip_days(today: date) -> list[date]:
    """The 28 days of the strip: four calendar weeks (Mon–Sun), the last holding today."""
    start = today - timedelta(days=today.weekday() + 7 * (STRIP_WEEKS - 1))
    return [start + timedelta(days=i) for i in range(7 * STRIP_WEEKS)]


def _cell_kind(day: date, today: date, studied: set[date], frozen: set[date], since: date) -> str:
    """What a strip day was: studied, frozen, missed, future, or before the plan."""
    if day in studied:
        return "studied"
    if day > today:
        return "future"
    if day < since:
        return "before"
    return "frozen" if day in frozen else "missed"


CELL_STYLES: dict[str, dict] = {
    "studied": {"facecolor": STUDY_COLOR, "edgecolor": STUDY_COLOR},
    "frozen": {"facecolor": FROZEN_COLOR, "edgecolor": EDGE_COLOR, "hatch": "///"},
    "missed": {"facecolor": MISSED_COLOR, "edgecolor": MISSED_COLOR},
    "future": {"facecolor": "white", "edgecolor": MISSED_COLOR, "linestyle": "--"},
    "before": {"facecolor": "white", "edgecolor": MISSED_COLOR, "linestyle": ":"},
}


def _cell_box(row: int, col: int, pad: float) -> list[tuple[float, float]]:
    x, y, size = col + pad, -row + pad, 1 - 2 * pad
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size)]


def _strip_legend(ax: Axes) -> None:
    handles = [
        Patch(facecolor=STUDY_COLOR, label="studied"),
        Patch(facecolor=FROZEN_COLOR, hatch="///", edgecolor=EDGE_COLOR, label="freeze"),
        Patch(facecolor=MISSED_COLOR, label="missed"),
        Patch(facecolor="white", edgecolor=TODAY_EDGE, linewidth=2, label="today"),
    ]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)


def strip_kinds(
    days: Iterable[date], frozen: Iterable[date], today: date, since: date | None = None
) -> list[tuple[date, str]]:
    """The 28 strip days and what each was (see `_cell_kind`)."""
    studied, frozen_set = set(days), set(frozen)
    start = since or date.min
    return [(d, _cell_kind(d, today, studied, frozen_set, start)) for d in _strip_days(today)]


def chart_description(summary: ProgressSummary, cells: list[tuple[date, str]]) -> str:
    """The chart's figures as one line of text (the PNG's ``Description``)."""
    weeks = ", ".join(
        f"week {n}: {planned:g} h planned, {spent:g} h spent"
        for n, (planned, spent) in enumerate(
            zip(summary.per_week_planned, summary.per_week_done, strict=False), start=1
        )
    )
    counts = {k: sum(1 for _, kind in cells if kind == k) for k in CELL_STYLES}
    strip = ", ".join(f"{counts[k]} {k}" for k in ("studied", "missed", "frozen", "before"))
    return f"Hours per week — {weeks}. Last 4 weeks — {strip}."


# --------------------------------------------------------------------------- the canvas


class _Canvas:
    """The figure with every artist that does not depend on the data, built once per
    thread (matplotlib figures are not thread-safe) and reused: building the axes,
    ticks and legends was about half of a render. Each series of bars and the strip's
    cells are one collection each, not a patch per bar or day."""

    def __init__(self) -> None:
        self.fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
        FigureCanvasAgg(self.fig)
        text = _text_kwargs()
        width, height = WIDTH_IN * DPI, HEIGHT_IN * DPI
        self.title = _Label(15, "m", weight="bold")
        self.title.place(0.5 * width, (1 - 0.965) * height)
        self.summary = _Label(10, "m")
        self.summary.place(0.5 * width, (1 - 0.925) * height)
        self.hours = self.fig.add_axes((0.08, 0.47, 0.88, 0.39))
        self.planned = PolyCollection([], facecolors=PLANNED_COLOR, edgecolors="none")
        self.done = PolyCollection([], facecolors=DONE_COLOR, edgecolors="none")
        self._hours_frame(self.hours)
        self.strip = self.fig.add_axes((0.12, 0.03, 0.62, 0.34))
        boxes = [_cell_box(row, col, 0.06) for row in range(STRIP_WEEKS) for col in range(7)]
        self.cells = PolyCollection(boxes, linewidths=1)
        self.frozen = PolyCollection([], linewidths=1, hatch="///", **_frozen_colors())
        self.today = Rectangle((0.02, 0.02), 0.96, 0.96, fill=False)
        self.today.set(edgecolor=TODAY_EDGE, linewidth=2.5)
        label = {"fontsize": 9, "va": "center", **text}
        self.weeks = [_Label(9, "r") for _ in range(STRIP_WEEKS)]  # placed once drawn
        self._strip_frame(self.strip, label)
        self._today_visible = True
        # backgrounds by the hours axes' ticks and limits, oldest first
        self._backgrounds: dict[tuple[object, ...], object] = {}
        self._static: object | None = None

    def _hours_frame(self, ax: Axes) -> None:
        ax.add_collection(self.planned)
        ax.add_collection(self.done)
        ax.set_xlabel("Week", fontsize=10, color=TEXT_COLOR)
        ax.set_ylabel("Hours", fontsize=10, color=TEXT_COLOR)
        handles = [
            Patch(color=PLANNED_COLOR, label="Planned"),
            Patch(color=DONE_COLOR, label="Time spent"),
        ]
        # The legend and the title belong to the figure, where the axes put them: so they
        # are drawn once with the strip (`_background`), not again for every new limit.
        self.fig.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            bbox_transform=ax.transAxes,
            ncols=2,
            frameon=False,
            fontsize=9,
        )
        ax.grid(axis="y", color=MISSED_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        above = ax.transAxes + ScaledTranslation(0, TITLE_PAD / 72, self.fig.dpi_scale_trans)
        self.fig.text(0, 1, "Hours per week", transform=above, va="baseline", fontsize=11,
                      **_text_kwargs())  # fmt: skip

    def _strip_frame(self, ax: Axes, label: dict[str, object]) -> None:
        ax.add_collection(self.cells)
        ax.add_collection(self.frozen)
        ax.add_patch(self.today)
        for col, name in enumerate(WEEKDAYS):
            ax.text(col + 0.5, 1.2, name, ha="center", **label)
        ax.set_xlim(-1.3, 7.05)
        ax.set_ylim(-STRIP_WEEKS + 0.9, 1.5)
        ax.set_aspect("equal")
        ax.axis("off")
        _strip_legend(ax)
        ax.set_title("Last 4 weeks", loc="left", fontsize=11, **_text_kwargs())

    def draw_hours(self, planned: list[float], done: list[float]) -> None:
        """Grouped bars: planned vs done hours per week."""
        count = max(len(planned), len(done))
        xs = range(1, count + 1)
        planned = [*planned, *[0.0] * (count - len(planned))]
        done = [*done, *[0.0] * (count - len(done))]
        width = 0.4
        self.planned.set_verts(_bars([x - width for x in xs], planned, width))
        self.done.set_verts(_bars(list(xs), done, width))
        ax = self.hours
        ax.set_xticks(_week_ticks(count))
        ax.set_xlim(0.3, count + 0.7 if count else 1.7)
        ax.set_ylim(0, _nice_top(max([*planned, *done, 1.0]) * 1.1))

    def draw_strip(self, cells: list[tuple[date, str]], today: date) -> None:
        """4×7 calendar strip; row 0 (top) is the oldest week, each row labelled by its
        Monday; frozen days hatched over their cell, today outlined."""
        styles = [CELL_STYLES[kind] for _, kind in cells]
        self.cells.set_facecolors([s["facecolor"] for s in styles])
        self.cells.set_edgecolors([s["edgecolor"] for s in styles])
        self.cells.set_linestyles([s.get("linestyle", "-") for s in styles])
        frozen = [i for i, (_, kind) in enumerate(cells) if kind == "frozen"]
        self.frozen.set_verts([_cell_box(*divmod(i, 7), 0.06) for i in frozen])
        at = next((i for i, (day, _) in enumerate(cells) if day == today), None)
        self._today_visible = at is not None
        self.today.set_visible(self._today_visible)
        if at is not None:
            row, col = divmod(at, 7)
            self.today.set_xy((col + 0.02, -row + 0.02))
        for row, week in enumerate(self.weeks):
            week.text = cells[row * 7][0].strftime("%d %b")

    def _dynamic(self) -> list[Artist]:
        """What changes from chart to chart, drawn over the cached background (the
        hours spines again over the bars, as the axes would)."""
        spines = [self.hours.spines[side] for side in ("bottom", "left")]
        return [self.planned, self.done, *spines, self.cells, self.frozen, self.today]

    def _place_weeks(self) -> None:
        """The week labels sit left of the strip's rows, whose place the equal aspect
        settles only when the figure is drawn."""
        height = self.fig.bbox.height
        for row, week in enumerate(self.weeks):
            x, y = self.strip.transData.transform((-0.15, -row + 0.5))
            week.place(float(x), float(height - y))

    def _background(self) -> object:
        """Everything under the data for the hours axes' current limits. What does not
        depend on them (the strip, its legend and labels) is drawn once and kept
        (`_static`); each new background restores it and draws the hours axes on it."""
        canvas = self.fig.canvas
        dynamic = self._dynamic()
        for artist in dynamic:
            artist.set_visible(False)
        try:
            if self._static is None:
                self.hours.set_visible(False)
                canvas.draw()
                self.hours.set_visible(True)
                self._place_weeks()
                self._static = canvas.copy_from_bbox(self.fig.bbox)
            else:
                canvas.restore_region(self._static)
            self.hours.draw(canvas.get_renderer())
            return canvas.copy_from_bbox(self.fig.bbox)
        finally:
            for artist in dynamic:
                artist.set_visible(True)
            self.today.set_visible(self._today_visible)

    def png(self, description: str) -> bytes:
        """Restore the background for these axes' limits (rendered once: frames, ticks,
        grid, legends, labels), draw the data on it, encode."""
        canvas = self.fig.canvas
        key = (tuple(self.hours.get_xticks()), self.hours.get_xlim(), self.hours.get_ylim())
        background = self._backgrounds.pop(key, None)
        if background is None:
            background = self._background()
            while len(self._backgrounds) >= BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))
        self._backgrounds[key] = background
        canvas.restore_region(background)
        renderer = canvas.get_renderer()
        for artist in self._dynamic():
            artist.draw(renderer)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image = image.convert("RGB")
        draw = ImageDraw.Draw(image)
        for label in (self.title, self.summary, *self.weeks):
            label.draw(draw)
        info = PngImagePlugin.PngInfo()
        info.add_text("Description", description)
        buffer = io.BytesIO()
        image.save(buffer, format="png", pnginfo=info, compress_level=3)
        return buffer.getvalue()


def _frozen_colors() -> dict[str, str]:
    style = CELL_STYLES["frozen"]
    return {"facecolors": style["facecolor"], "edgecolors": style["edgecolor"]}


_canvases = threading.local()


def _canvas() -> _Canvas:
    canvas = getattr(_canvases, "canvas", None)
    if canvas is None:
        canvas = _canvases.canvas = _Canvas()
    return canvas


# --------------------------------------------------------------------------- entry point


def progress_chart_png(
    summary: ProgressSummary,
    study_days: list[date],
    today: date,
    *,
    title: str,
    frozen_days: Iterable[date] = (),
    since: date | None = None,
) -> bytes:
    """Render the progress chart as PNG bytes (about 1000×700 px, well under 200 KB).

    `study_days` and `today` are local dates; `frozen_days` (e.g. `StreakState.frozen_days`)
    are drawn hatched in the streak strip, and days before `since` (the plan's first day)
    are not counted as missed. The "Time spent" bars are ``summary.per_week_done``.
    """
    cells = strip_kinds(study_days, frozen_days, today, since)
    canvas = _canvas()
    canvas.title.text = safe_text(title) or "Progress"
    canvas.summary.text = _summary_line(summary)
    canvas.draw_hours(summary.per_week_planned, summary.per_week_done)
    canvas.draw_strip(cells, today)
    return canvas.png(chart_description(summary, cells))


# --------------------------------------------------------------------------- the chart thread

_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="learnplan-chart")
_warm_up: Future[bytes] | None = None


async def render_progress_chart(
    summary: ProgressSummary,
    study_days: list[date],
    today: date,
    *,
    title: str,
    frozen_days: Iterable[date] = (),
    since: date | None = None,
) -> bytes:
    """`progress_chart_png` on the one chart thread, off the event loop: one figure and
    its cached backgrounds serve every chart (a thread of the default pool each built
    its own), and a chart asked for during the warm-up waits for it, not a second set-up."""
    call = functools.partial(
        progress_chart_png, summary, study_days, today,
        title=title, frozen_days=frozen_days, since=since,
    )  # fmt: skip
    return await asyncio.get_running_loop().run_in_executor(_thread, call)


def warm_up_in_background() -> Future[bytes]:
    """Once per process, without waiting: build the figure, load the fonts and render a
    sample chart on the chart thread, so the first /progress is not the process's first
    chart (set-up and first drawing: most of a cold render)."""
    global _warm_up
    if _warm_up is None:
        _warm_up = _thread.submit(_sample_chart)
    return _warm_up


def _sample_chart() -> bytes:
    weeks = 12
    summary = ProgressSummary(
        percent=0.0, modules_done=0, modules_total=weeks, hours_planned=5.0 * weeks,
        hours_spent=0.0, current_streak=0, longest_streak=0, quiz_average=None,
        next_module_id=None, next_module_title=None,
        per_week_planned=[5.0] * weeks, per_week_done=[],
    )  # fmt: skip
    return progress_chart_png(summary, [], date(2026, 1, 1), title="Progress")
