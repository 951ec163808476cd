"""City names in the case forms of other languages, after those languages' prepositions:
"w Krakowie", "we Wrocławiu", "z Gdańska" (Polish), "v Praze" (Czech), "в Москве"
(Russian). The endings and the countries each language names this way are data
(`inflections` in `data/zones.yaml`), not one pattern per city."""

from __future__ import annotations

from agent.understanding.gazetteer import gazetteer, zone_data
from agent.understanding.place_text import Token, joined, span_key

__all__ = ["in_language", "inflected_at"]

_MIN_STEM = 3
_MAX_WORDS = 3


def _language_countries(text: str, tokens: list[Token], first: int) -> set[str]:
    """The countries whose language's preposition stands right before token `first`."""
    if first == 0 or tokens[first - 1].segment != tokens[first].segment:
        return set()
    if not joined(text, tokens, first - 1, first + 1):
        return set()
    key = tokens[first - 1].key
    languages = zone_data()["inflections"].values()
    return {c for lang in languages if key in lang["prepositions"] for c in lang["countries"]}


def in_language(
    text: str, tokens: list[Token], first: int, entries: list[tuple[int, bool]]
) -> list[tuple[int, bool]]:
    """After "w", "v", "в"…, a name that is also a case form of a city of that language
    ("w Łodzi": Łódź, not Lodi, California) keeps only that city."""
    countries = _language_countries(text, tokens, first)
    gaz = gazetteer()
    kept = [(i, own) for i, own in entries if gaz.place(i).country in countries]
    return kept or entries


def inflected_at(text: str, tokens: list[Token], first: int) -> tuple[int, list[tuple[int, bool]]]:
    """The city whose name, in a case form, starts at token `first` right after a
    preposition of its language: (index past the name, gazetteer entries), else (first, [])."""
    if first == 0 or tokens[first - 1].segment != tokens[first].segment:
        return first, []
    if not joined(text, tokens, first - 1, first + 1):
        return first, []
    gaz = gazetteer()
    preposition = tokens[first - 1].key
    for language in zone_data()["inflections"].values():
        if preposition not in language["prepositions"]:
            continue
        countries = set(language["countries"])
        for last in range(min(len(tokens), first + _MAX_WORDS), first, -1):
            if not joined(text, tokens, first, last):
                continue
            head, word = span_key(tokens, first, last - 1), tokens[last - 1].key
            for ending, replacement in language["endings"]:
                stem = word[: len(word) - len(ending)]
                if not word.endswith(ending) or len(stem) < _MIN_STEM:
                    continue
                key = f"{head} {stem}{replacement}".strip()
                entries = [
                    (index, own)
                    for index, own in gaz.entries(key)
                    if gaz.place(index).kind == "city" and gaz.place(index).country in countries
                ]
                if entries:
                    return last, entries
    return first, []
