"""A light stemmer for the progress rules: "tuned" and "Tuning", "changed" and "changes",
"wrote" and "Writing" come to one stem, so a message's words meet a module title's words.

No stemming library is installed, so the rules are a small table in ``data/progress.yaml``
(`stemming`): irregular forms first ("wrote" → "write"), then one plural ending ("-ies",
"-s"), then one verb ending ("-ied", "-ing", "-ed") with its doubled consonant undone
("strumming" → "strum"). A verb ending is taken off only when a real stem is left: one with
a vowel and four letters, or three in consonant-vowel-consonant shape ("tun", not "str" of
"string" nor "emb" of "embed"). The final "e" of a base form ("tune", "change", "write") is
not taken off; `same_stem` forgives it instead, so "tun" and "tune" are one stem.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def _rules() -> dict[str, Any]:
    """The `stemming` table of data/progress.yaml (loaded once)."""
    text = resources.files("agent.understanding").joinpath("data/progress.yaml").read_text()
    return dict(yaml.safe_load(text)["stemming"])


@cache
def irregular() -> dict[str, str]:
    """Irregular verb forms and their base ("wrote": "write")."""
    return {str(k): str(v) for k, v in _rules()["irregular"].items()}


def _vowel(ch: str) -> bool:
    return ch in str(_rules()["vowels"])


def _real_stem(stem: str) -> bool:
    """A stem a verb ending may leave: a vowel in it, and four letters or a short C-V-C."""
    if not any(_vowel(ch) for ch in stem):
        return False
    if len(stem) >= int(_rules()["min_stem"]):
        return True
    return len(stem) == 3 and not _vowel(stem[0]) and _vowel(stem[1]) and not _vowel(stem[2])


def _undoubled(stem: str) -> str:
    """ "strumm" → "strum", "runn" → "run"; "fill", "pass", "add" keep their letters."""
    last = stem[-1:]
    if (
        len(stem) >= 4
        and stem[-2:-1] == last
        and not _vowel(last)
        and last not in str(_rules()["keep_doubled"])
        and _vowel(stem[-3])
    ):
        return stem[:-1]
    return stem


def _strip(token: str, endings: dict[str, str], verb: bool) -> str:
    for ending, replacement in endings.items():
        if not token.endswith(ending) or len(token) <= len(ending):
            continue
        stem = token[: -len(ending)]
        if any(stem.endswith(str(k)) for k in _rules()["not_after"].get(ending, [])):
            return token  # "speed", "need": no "-ed" ending; "loss", "class": no "-s"
        if verb and not replacement:
            return _undoubled(stem) if _real_stem(stem) else token
        if len(stem) + len(replacement) >= 3:
            return stem + replacement
        return token
    return token


def stem(token: str) -> str:
    """The stem of one lowercased word ("tunings" → "tun", "wrote" → "write")."""
    rules = _rules()
    token = irregular().get(token, token)
    if len(token) > 3:
        token = _strip(token, dict(rules["plural"]), verb=False)
    return _strip(token, dict(rules["verb"]), verb=True)


def same_stem(a: str, b: str) -> bool:
    """One stem, but for a base form's final "e" ("tun" and "tune", "chang" and "change")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and long_ == f"{short}e"
