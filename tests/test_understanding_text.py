"""Text preparation: cleaning, folding, masking (`agent.understanding.text`) and the lexicon
helpers built on it (`agent.understanding.lexicon`)."""

from __future__ import annotations

import re

import pytest

from agent.understanding.lexicon import PhraseMatcher, correct_typos, phrase_key, trim_edges
from agent.understanding.text import (
    MASK,
    Scan,
    ascii_same_length,
    clean_text,
    fold,
    swap_words,
)


def test_clean_text_keeps_length_and_blanks_control_characters() -> None:
    assert clean_text("a\u200bb\tc\nd") == "a b c\nd"
    assert len(clean_text("x" * 5000)) == 4000


def test_ascii_same_length_keeps_every_offset() -> None:
    text = "Kraków — “São Paulo” ß"
    folded = ascii_same_length(text)
    assert len(folded) == len(text)
    assert folded.startswith('Krakow - "Sao Paulo"')


def test_ascii_same_length_keeps_emoji_and_flags() -> None:
    text = "Oslo 🇳🇴 🅰 ✏️ ⏰"
    assert ascii_same_length(text) == text  # a flag is not the letters "NO"


def test_fold_is_lower_ascii_single_spaced() -> None:
    assert fold("  München   Köln ") == "munchen koln"


def test_scan_masks_what_is_taken() -> None:
    scan = Scan.of("learn Rust, 6 weeks")
    scan.take(12, 19)
    assert scan.work.endswith(MASK * 7)
    assert scan.rest() == "learn Rust,"
    assert not scan.free(10, 14)
    assert [m.group() for m in scan.matches(re.compile(r"\w+"))] == ["learn", "Rust"]


def test_phrase_matcher_prefers_the_longest_phrase_and_reports_spans() -> None:
    matcher = PhraseMatcher({"a": ["new to", "brand new to"], "b": ["never *"]})
    hits = matcher.find("I'm brand new to it and never played")
    assert [(h.label, h.phrase) for h in hits] == [("a", "brand new to"), ("b", "never *")]
    assert "I'm brand new to it and never played"[hits[1].start : hits[1].end] == "never played"
    assert matcher.whole("Brand new to!") == "a"


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("3 hrs a wek", "3 hrs a week"),
        ("I'm a begginer", "I'm a beginner"),
        ("intermidiate", "intermediate"),
        ("advnced", "advanced"),
        ("Saturdya mornings", "Saturday mornings"),
        ("deep learning w/ pytorch", "deep learning with pytorch"),
        ("i want 2 learn js", "i want to learn js"),
    ],
)
def test_correct_typos(text: str, fixed: str) -> None:
    assert correct_typos(text) == fixed


@pytest.mark.parametrize("text", ["I am weak at math", "four hours", "I have 2 kids", "learn Go"])
def test_correct_typos_leaves_real_words(text: str) -> None:
    assert correct_typos(text) == text


def test_phrase_key_and_trim_edges() -> None:
    assert phrase_key("I’m NOT sure!") == "i'm not sure"
    assert trim_edges("Rust in the") == "Rust"


def test_a_keycap_digit_reads_as_its_digit() -> None:
    text = "learn python, 3\ufe0f\u20e3 hours a week"
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    assert cleaned == "learn python, 3   hours a week"


def test_swap_words_replaces_whole_phrases_only() -> None:
    """The one word-swap step of the progress and plan-change rules: whole phrases, longest
    first, any whitespace inside a phrase; `joiners` keep "semana-3" from matching."""
    table = {"semana": "week", "más ligera": "lighter"}
    assert swap_words("Semana 3 más   ligera", table) == "week 3 lighter"
    assert swap_words("semanas", table) == "semanas"
    assert swap_words("x-semana 3", table) == "x-week 3"
    assert swap_words("x-semana 3", table, joiners="'-") == "x-semana 3"
