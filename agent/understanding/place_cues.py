"""How clearly a name found in a message is the user's own place: the cue words before
it ("I live in", "from"), the words after it ("Berlin time"), whether it stands alone
between commas, is an item of a list ("History: Rome, Athens"), or a destination or
future home ("a trip to Napoli", "going to live in Hanoi"). Used by
`agent.understanding.places`; the word lists live in `data/zones.yaml`.
"""

from __future__ import annotations

from agent.understanding.gazetteer import FUZZY_MIN_POPULATION, fold, gazetteer, zone_data
from agent.understanding.place_text import BREAK_RE, Token, cue_sets, joined, span_key

__all__ = ["alone", "cue_before", "rank"]

# A name with no cue, alone between commas, is a place only for a town this big.
ALONE_MIN_POPULATION = 50_000
# ...and by one of its other names only for a city this big.
ALONE_ALTERNATE_POPULATION = 1_000_000
# How many words before a place a travel word makes it a destination ("trip to Napoli").
DESTINATION_REACH = 4
# ...and a future word a place they will live in ("going to live in Hanoi").
FUTURE_REACH = 5
# A city alone between commas by another name must be known in this many languages unless
# its own name begins with that one ("Cluj" for Cluj-Napoca; not "tango" for Tanggu).
ALONE_ALTERNATE_FAME = 12


def cue_before(text: str, tokens: list[Token], first: int) -> str | None:
    """ "strong" or "weak" when cue words stand right before the name, in its segment."""
    strong, weak, _, _ = cue_sets()
    found = None
    for size in range(1, 6):
        start = first - size
        if start < 0 or tokens[start].segment != tokens[first].segment:
            break
        if not joined(text, tokens, start, start + 2):
            break
        phrase = span_key(tokens, start, first)
        if phrase in strong:
            return "strong"
        if phrase in weak:
            found = "weak"
    return found


def _suffix_after(text: str, tokens: list[Token], last: int) -> bool:
    suffixes = cue_sets()[2]
    for size in (2, 1):
        if last + size <= len(tokens) and joined(text, tokens, last - 1, last + size):
            if span_key(tokens, last, last + size) in suffixes:
                return True
    return False


def alone(tokens: list[Token], first: int, last: int) -> bool:
    """The name stands alone in its segment (only cue words around it)."""
    cue_words = cue_sets()[3]
    segment = tokens[first].segment
    before = first - 1
    while before >= 0 and tokens[before].segment == segment:
        if tokens[before].key not in cue_words:
            return False
        before -= 1
    after = last
    while after < len(tokens) and tokens[after].segment == segment:
        if tokens[after].key not in cue_words:
            return False
        after += 1
    return True


def _segments(tokens: list[Token]) -> dict[int, list[Token]]:
    parts: dict[int, list[Token]] = {}
    for token in tokens:
        parts.setdefault(token.segment, []).append(token)
    return parts


def _separator(text: str, parts: dict[int, list[Token]], segment: int) -> str:
    """The break character before `segment` ("," ":" "." …), "" at the start."""
    previous = parts.get(segment - 1)
    if not previous:
        return ""
    gap = text[previous[-1].end : parts[segment][0].start]
    found = BREAK_RE.search(gap)
    return found.group() if found else ""


def _in_list(text: str, tokens: list[Token], first: int) -> bool:
    """A name standing alone is an item of a list, not the user's place, after a label
    and a colon ("History: Rome, Athens")."""
    parts = _segments(tokens)
    labels = cue_sets()[3] | frozenset(zone_data()["labels"])
    segment = tokens[first].segment
    while True:  # walk back through the comma-separated items to what introduced them
        separator = _separator(text, parts, segment)
        if separator == ":":
            return parts[segment - 1][-1].key not in labels
        if separator not in {",", ";"}:
            break
        segment -= 1

    return False


def _destination(tokens: list[Token], first: int) -> bool:
    """A travel word stands shortly before the name, in its segment."""
    words = zone_data()["destination_words"]
    segment = tokens[first].segment
    before = tokens[max(0, first - DESTINATION_REACH) : first]
    return any(t.segment == segment and t.key in words for t in before)


def _future(tokens: list[Token], first: int) -> bool:
    """A future word stands shortly before the name, in its segment ("going to live in")."""
    words = zone_data()["future_words"]
    segment = tokens[first].segment
    before = tokens[max(0, first - FUTURE_REACH) : first]
    return any(t.segment == segment and t.key in words for t in before)


def _known_alone(key: str, entries: list[tuple[int, bool]]) -> bool:
    """A name alone between commas: a town (not a village: "Erlang, China") by its own
    name; a city also by another name that begins like its own ("Bangalore" for
    Bengaluru, not "Julia" for Plovdiv)."""
    gaz = gazetteer()
    for index, primary in entries:
        place = gaz.place(index)
        if primary and place.population >= ALONE_MIN_POPULATION:
            return True
        label = fold(place.label)
        known = label.startswith(key) or place.fame >= ALONE_ALTERNATE_FAME
        if place.population >= FUZZY_MIN_POPULATION and label[:1] == key[:1] and known:
            return True
        if place.population >= ALONE_ALTERNATE_POPULATION:
            return True  # a big city by its name in another language ("Wien", "Praha")
    return False


def rank(
    text: str, tokens: list[Token], first: int, last: int, whole: bool, entries: list
) -> int | None:
    """How clearly the name is the user's place (0 = clearest), or None: not a place."""
    key = span_key(tokens, first, last)
    # Short names ("Of", "Tô") read like words too; codes (NYC) are not in `names`.
    everyday = key in zone_data()["everyday_words"] or (len(key) <= 3 and key in gazetteer().names)
    mixed_case = text != text.lower()
    capital = tokens[first].text[:1].isupper() and (mixed_case or len(tokens) == 1)
    plain_ok = not everyday or capital
    if cue_before(text, tokens, first) and _future(tokens, first):
        return None  # "going to live in Hanoi next year": not where they are now
    if _suffix_after(text, tokens, last) or cue_before(text, tokens, first) == "strong":
        return 0 if plain_ok else None  # "I live in Reading", not "I'm in sales"
    if _destination(tokens, first):
        return None  # "a trip to Napoli": where they are going, not where they are

    if whole and alone(tokens, first, last):
        return 0
    if alone(tokens, first, last) and plain_ok and not _in_list(text, tokens, first):
        return 1 if _known_alone(key, entries) else None
    if cue_before(text, tokens, first) == "weak" and plain_ok:
        return 2
    if whole and plain_ok:
        return 3
    return None
