"""Non-answers (`agent.understanding.nonanswers`)."""

from __future__ import annotations

import pytest

from agent.understanding.nonanswers import classify_nonanswer, listed_nonanswer, strip_filler


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hmm not sure", "unsure"),
        ("idk", "unsure"),
        ("dunno", "unsure"),
        ("not sur", "unsure"),
        ("later", "later"),
        ("not now", "later"),
        ("maybe later", "later"),
        ("yes", "yes"),
        ("Yeah!", "yes"),
        ("nope", "no"),
        ("none really", "none"),
        ("no preference", "none"),
        ("-", "none"),
        ("whatever you think is best", "anything"),
        ("you choose", "anything"),
        ("anything you think", "anything"),
        ("whatever, you pick", "anything"),
        ("not really, just the general stuff", "no"),
        ("as much as needed", "anything"),
        ("anytime", "anything"),
        ("why do you need that?", "question"),
        ("what do you mean?", "question"),
        ("not sure yet, still thinking", "unsure"),
        ("just looking around", "unsure"),
        ("lemme think about it first", "later"),
        ("teach me something", "anything"),
        ("as long as it takes", "anything"),
        ("yess", "yes"),
        ("nooo", "no"),
        ("yes looks good", "yes"),
        ("yep go ahead", "yes"),
        ("yes please build it", "yes"),
        ("ok thanks", "yes"),
        ("can u ask me that later", "later"),
        ("later pls, gotta run", "later"),
        ("ttyl", "later"),
        ("u decide", "anything"),
        ("like what?", "question"),
        ("hmm idk, what do you recommend?", "question"),
        ("no thx", "no"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert classify_nonanswer(text) == kind


@pytest.mark.parametrize(
    "text", ["Python", "something fun", "pandas and numpy", "Berlin", "5 hours", "Rust?"]
)
def test_values_are_not_nonanswers(text: str) -> None:
    assert classify_nonanswer(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [("any day really", "anything"), ("any day except Sunday", None), ("5 hours", None)],
)
def test_listed_nonanswer_is_the_whole_message(text: str, kind: str | None) -> None:
    assert listed_nonanswer(text) == kind


def test_strip_filler() -> None:
    assert strip_filler("hmm not sure tbh") == "not sure"
    assert strip_filler("ok") == "ok"
