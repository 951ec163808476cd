"""Load the built-in curricula (YAML data files) and match a goal to one of them."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from rapidfuzz import fuzz, utils

from agent.curricula.models import Curriculum

DATA_DIR = Path(__file__).with_name("data")
# A goal matches a name or alias when its words contain the alias (or nearly so) and the
# alias makes up at least a third of the goal's subject words.
MATCH_THRESHOLD = 88.0
WORD_THRESHOLD = 85.0
MIN_COVERAGE = 1 / 3


def load_file(path: Path) -> Curriculum:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Curriculum.model_validate({"id": path.stem, **data})


@functools.cache
def curricula() -> dict[str, Curriculum]:
    """Every curriculum under `data/`, by id (the file name). Raises on an invalid file."""
    return {p.stem: load_file(p) for p in sorted(DATA_DIR.glob("*.yaml"))}


def _key(text: str) -> str:
    """Lowercased words; "C++" and "C#" keep their identity (rapidfuzz drops symbols)."""
    return utils.default_process(text.replace("++", "pp").replace("#", "sharp"))


def _names(curriculum: Curriculum) -> list[str]:
    return [curriculum.name, *curriculum.aliases]


@functools.cache
def stopwords() -> frozenset[str]:
    lines = DATA_DIR.joinpath("stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _covers(goal_words: list[str], alias: str) -> bool:
    """Every alias word is (nearly) in the goal, and the alias is a good part of the goal."""
    words = alias.split()
    if not words or not all(
        any(fuzz.ratio(w, g) >= WORD_THRESHOLD for g in goal_words) for w in words
    ):
        return False
    subject = [g for g in goal_words if g not in stopwords()]
    return len(words) >= MIN_COVERAGE * max(1, len(subject))


def match(goal_text: str | None) -> Curriculum | None:
    """The curriculum whose name or an alias best matches the goal, or None.

    The score is rapidfuzz's token-set ratio (an alias wholly inside the goal's words
    scores 100, so "conversational Spanish" finds "Spanish"); the alias must also make up
    a third of the goal's subject words ("go to the gym, swim and run" is not Go). Ties go to
    the alias most similar to the whole goal ("Python for data analysis" finds data
    analysis). Known limit: "French cooking" still finds the French language.
    """
    text = _key(goal_text or "")
    if not text:
        return None
    words = text.split()
    best: tuple[float, float, str] | None = None
    for cid, curriculum in curricula().items():
        for name in _names(curriculum):
            alias = _key(name)
            score = fuzz.token_set_ratio(text, alias)
            if score < MATCH_THRESHOLD or not _covers(words, alias):
                continue
            candidate = (score, fuzz.token_sort_ratio(text, alias), cid)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return curricula()[best[2]] if best else None
