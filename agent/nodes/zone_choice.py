"""Asking which place a time zone answer meant: one button per option.

Used by /timezone (`agent.nodes.profile`) and by intake when the time zone answer is
ambiguous ("Portland", "USA"). The options live in the graph state under
``zone_options`` ([{"label", "zone"}]); a button carries only ``tz:<index>``, and a
press is re-validated against the stored options and zoneinfo — never trusted.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import available_timezones

from agent.understanding.places import PlaceOption, ZoneLookup

CALLBACK_PREFIX = "tz:"
STATE_KEY = "zone_options"
MAX_LABEL = 64
_CALLBACK_RE = re.compile(r"tz:(\d{1,2})")

WHICH_PLACE = "There is more than one “{name}” — which one do you mean?"
WHICH_ZONE = (
    "{name} has several time zones — which one is yours? Tap the city nearest to you, "
    "or send the name of your city."
)
WHICH_ZONE_UNNAMED = "Which of these time zones is yours? Or send the name of your city."


def zone_options_state(options: list[PlaceOption]) -> list[dict[str, str]]:
    """The options as stored in the graph state (JSON-able)."""
    return [option.model_dump() for option in options]


def zone_question(options: list[PlaceOption], name: str = "") -> dict[str, Any]:
    """A reply asking which option was meant: the question and one button per option.

    Store `zone_options_state(options)` under ``STATE_KEY`` in the same update."""
    name = " ".join(name.split())[:60]
    if name and all(name.casefold() in o.label.casefold() for o in options):
        text = WHICH_PLACE.format(name=name)
    elif name:
        text = WHICH_ZONE.format(name=name[:1].upper() + name[1:])
    else:
        text = WHICH_ZONE_UNNAMED
    buttons = [
        [{"label": option.label[:MAX_LABEL], "data": f"{CALLBACK_PREFIX}{index}"}]
        for index, option in enumerate(options)
    ]
    return {"kind": "text", "text": text, "buttons": buttons}


def lookup_question(lookup: ZoneLookup, text: str) -> dict[str, Any]:
    """`zone_question` for an ambiguous `lookup_zone(text)` result."""
    name = text[lookup.start : lookup.end] if lookup.start >= 0 else ""
    return zone_question(lookup.options, name)


def chosen_option(data: str, stored: Any) -> PlaceOption | None:
    """The option a ``tz:<index>`` press picked, or None when the press is malformed, out
    of range, stale (nothing stored) or names a zone zoneinfo does not know."""
    match = _CALLBACK_RE.fullmatch(data or "")
    if match is None or not isinstance(stored, list):
        return None
    index = int(match.group(1))
    if index >= len(stored) or not isinstance(stored[index], dict):
        return None
    try:
        option = PlaceOption.model_validate(stored[index])
    except ValueError:
        return None
    return option if option.zone in available_timezones() else None
