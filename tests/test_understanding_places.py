"""Places and time zones in free text: agent.understanding.places."""

from __future__ import annotations

import pytest

from agent.understanding.places import (
    lookup_zone,
    resolve_timezone,
    timezone_from_location,
    zone_label,
)


@pytest.mark.parametrize(
    ("answer", "zone"),
    [
        ("Kraków", "Europe/Warsaw"),
        ("krakow", "Europe/Warsaw"),
        ("Medellín", "America/Bogota"),
        ("Gothenburg", "Europe/Stockholm"),
        ("Da Nang", "Asia/Ho_Chi_Minh"),
        ("München", "Europe/Berlin"),
        ("Zürich", "Europe/Zurich"),
        ("sao paulo", "America/Sao_Paulo"),
        ("Adelaide", "Australia/Adelaide"),
        ("Boise", "America/Boise"),
        ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("Saigon", "Asia/Ho_Chi_Minh"),
        ("NYC", "America/New_York"),
        ("nyc", "America/New_York"),
        ("SF", "America/Los_Angeles"),
        ("LA", "America/Los_Angeles"),
        ("Paris", "Europe/Paris"),
        ("Sydney", "Australia/Sydney"),
        ("London", "Europe/London"),
        ("Rome", "Europe/Rome"),
        ("St. Petersburg", "Europe/Moscow"),
        ("Germany", "Europe/Berlin"),
        ("japan", "Asia/Tokyo"),
        ("Poland", "Europe/Warsaw"),
        ("Spain", "Europe/Madrid"),
        ("UK", "Europe/London"),
        ("Oregon", "America/Los_Angeles"),
        ("I'm in Berlin", "Europe/Berlin"),
        ("Berlin time", "Europe/Berlin"),
        ("Nice", "Europe/Paris"),
        ("Split", "Europe/Zagreb"),
        ("Boston", "America/New_York"),
        ("Bay Area", "America/Los_Angeles"),
        ("Queensland", "Australia/Brisbane"),
        ("British Columbia", "America/Vancouver"),
        ("New South Wales", "Australia/Sydney"),
        ("same as London", "Europe/London"),
        # a small, little-known namesake (Halifax, England) does not make a city a question
        ("Halifax", "America/Halifax"),
        ("Irvine", "America/Los_Angeles"),
    ],
)
def test_a_bare_place_answer_resolves(answer: str, zone: str) -> None:
    assert lookup_zone(answer, whole_answer=True).zone == zone
    assert resolve_timezone(answer) == zone


@pytest.mark.parametrize(
    ("answer", "zone"),
    [
        ("Krakw", "Europe/Warsaw"),
        ("Gotenburg", "Europe/Stockholm"),
        ("Berln", "Europe/Berlin"),
        ("germny", "Europe/Berlin"),
        ("i live in Amsterdm", "Europe/Amsterdam"),
    ],
)
def test_typos_are_tolerated_in_an_answer(answer: str, zone: str) -> None:
    assert lookup_zone(answer, whole_answer=True).zone == zone


@pytest.mark.parametrize(
    ("answer", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("america/new_york", "America/New_York"),
        ("UTC+2", "Etc/GMT-2"),
        ("GMT-3", "Etc/GMT+3"),
        ("+05:30", "Asia/Kolkata"),
        ("utc+5:45", "Asia/Kathmandu"),
        ("-3", "Etc/GMT+3"),
        ("UTC", "UTC"),
        ("CET", "Europe/Berlin"),
        ("pst", "America/Los_Angeles"),
        ("PT", "America/Los_Angeles"),
        ("Eastern time", "America/New_York"),
        ("pacific time", "America/Los_Angeles"),
    ],
)
def test_explicit_zones_offsets_and_abbreviations(answer: str, zone: str) -> None:
    assert lookup_zone(answer, whole_answer=True).zone == zone


def test_an_impossible_offset_finds_nothing() -> None:
    found = lookup_zone("UTC+17", whole_answer=True)
    assert found.zone is None and not found.options


@pytest.mark.parametrize(
    ("answer", "labels"),
    [
        ("Portland", ["Portland, Oregon, United States", "Portland, Maine, United States"]),
        ("Córdoba", ["Córdoba, Argentina", "Córdoba, Spain"]),
        ("San José", ["San Jose, California, United States", "San José, Costa Rica"]),
        ("Springfield", ["Springfield, Missouri, United States"]),
        ("Georgia", ["Georgia", "Georgia, United States"]),
        # "Georgetown" is George Town, Malaysia's own name without the space
        ("Georgetown", ["Georgetown, Guyana", "George Town, Malaysia"]),
        (
            "Birmingham",
            ["Birmingham, England, United Kingdom", "Birmingham, Alabama, United States"],
        ),
    ],
)
def test_ambiguous_names_offer_places_with_their_country(answer: str, labels: list[str]) -> None:
    found = lookup_zone(answer, whole_answer=True)
    assert found.zone is None
    shown = [option.label for option in found.options]
    assert 2 <= len(shown) <= 5
    assert shown[: len(labels)] == labels
    assert len({option.zone for option in found.options}) >= 2
    assert resolve_timezone(answer) is None


@pytest.mark.parametrize(
    ("answer", "zone"),
    [
        ("Portland, Oregon", "America/Los_Angeles"),
        ("Portland OR", "America/Los_Angeles"),
        ("Portland, Maine", "America/New_York"),
        ("Cordoba Spain", "Europe/Madrid"),
        ("London, Ontario", "America/Toronto"),
        ("Victoria BC", "America/Vancouver"),
        ("Perth WA", "Australia/Perth"),
        ("I'm in Da Nang, Vietnam", "Asia/Ho_Chi_Minh"),
    ],
)
def test_a_region_or_country_after_the_city_settles_it(answer: str, zone: str) -> None:
    assert lookup_zone(answer, whole_answer=True).zone == zone


@pytest.mark.parametrize(
    ("answer", "first", "count"),
    [
        ("USA", "America/New_York", 5),
        ("the US", "America/New_York", 5),
        ("Canada", "America/Toronto", 5),
        ("Brazil", "America/Sao_Paulo", 2),
        ("Australia", "Australia/Sydney", 4),
        ("Russia", "Europe/Moscow", 5),
        ("Mexico", "America/Mexico_City", 5),
        ("Indonesia", "Asia/Jakarta", 3),
    ],
)
def test_a_country_with_several_zones_asks(answer: str, first: str, count: int) -> None:
    found = lookup_zone(answer, whole_answer=True)
    assert found.zone is None
    assert found.options[0].zone == first
    assert len(found.options) == count


@pytest.mark.parametrize(
    ("text", "zone", "name"),
    [
        ("I want to learn Spanish, I'm in Kraków", "Europe/Warsaw", "Kraków"),
        (
            "Learn Kotlin, 3 weeks, beginner, weekends 10:00-12:00, Berlin, topics: x",
            "Europe/Berlin",
            "Berlin",
        ),
        ("I'd like to learn python, based in Medellín", "America/Bogota", "Medellín"),
        ("learn german in 8 weeks, i live in munich", "Europe/Berlin", "munich"),
        ("guitar lessons, I live in Reading, England", "Europe/London", "Reading, England"),
        ("I'm from Brazil but live in Berlin", "Europe/Berlin", "Berlin"),
        ("Learn Japanese, 5h a week, Tokyo time", "Asia/Tokyo", "Tokyo"),
        ("Learn Rust in march, in Split", "Europe/Zagreb", "Split"),
        ("I live in nyc", "America/New_York", "nyc"),
        ("Mandarin 3h per week UTC+8", "Etc/GMT-8", "UTC+8"),
        ("my time zone is America/Chicago", "America/Chicago", "America/Chicago"),
        ("Vietnamese. I live in Hanoi. Beginner.", "Asia/Ho_Chi_Minh", "Hanoi"),
        ("Kubernetes, I'm intermediate. Bangalore", "Asia/Kolkata", "Bangalore"),
        ("learn kotlin, 3 hrs a wek, Gothenberg", "Europe/Stockholm", "Gothenberg"),
        ("TOEFL by Feb 28, currently ~B2, Phoenix AZ, 10 hrs", "America/Phoenix", "Phoenix AZ"),
        ("drums, tues & thurs evenings, Aarhus", "Europe/Copenhagen", "Aarhus"),
        ("Arabic A1, Sundays 10:00-12:00, Amman", "Asia/Amman", "Amman"),
        ("Spanish, beginner, Madrid", "Europe/Madrid", "Madrid"),
        ("City: Kraków", "Europe/Warsaw", "Kraków"),
        ("Vivo en Montevideo.", "America/Montevideo", "Montevideo"),
        ("aprender inglês, moro em Recife", "America/Recife", "Recife"),
        ("Klavier, ich wohne in Linz", "Europe/Vienna", "Linz"),
        ("urban sketching ✏️ Sevilla, sundays", "Europe/Madrid", "Sevilla"),
        ("Berlin 🇩🇪, 3h a week", "Europe/Berlin", "Berlin"),
        ("learn Hindi 🇮🇳 Mumbai", "Asia/Kolkata", "Mumbai"),
        ("Lisbon 🇵🇹 learn guitar", "Europe/Lisbon", "Lisbon"),
        ("learn Swedish 🇸🇪 Malmö", "Europe/Stockholm", "Malmö"),
        (
            "Vietnamese, going to live in Hanoi next year. I'm in Melbourne now.",
            "Australia/Melbourne",
            "Melbourne",
        ),
    ],
)
def test_places_in_a_whole_message_with_their_span(text: str, zone: str, name: str) -> None:
    found = lookup_zone(text)
    assert found.zone == zone
    assert text[found.start : found.end] == name


@pytest.mark.parametrize(
    "text",
    [
        "I'm interested in reading and writing",
        "Learn French before my trip to Paris",
        "mobile dev in 6 weeks",
        "learn to split tables in Excel",
        "teach me python from scratch",
        "starting in May",
        "Topics: Java, Scala, Kotlin",
        "React, Angular, Vue",
        "study in the evenings",
        "available from Monday",
        "in time for my exam",
        "Learn history of Rome",
        "I want an orange belt in judo",
        "I'm in sales",
        "I live in the city",
        "currently in university",
        "I'm in Asia",
        "in German please",
        "i live in reading",
        "Portuguese (Brazilian)",
        "History: Rome, Carthage, Athens",
        "wine tasting: Bordeaux, Burgundy, Champagne",
        "ML: PyTorch, Keras, JAX",
        "Julia, Elixir, Erlang",
        "Yoga, Pilates, Meditation",
        "tango, 2h a week",
        "Vietnamese, going to live in Hanoi next year",
        "moving to Lisbon 🇵🇹",
    ],
)
def test_everyday_words_and_destinations_are_not_places(text: str) -> None:
    found = lookup_zone(text)
    assert found.zone is None and not found.options


@pytest.mark.parametrize("answer", ["not sure", "idk", "later", "skip", "yes", "no", "Narnia"])
def test_non_answers_find_nothing(answer: str) -> None:
    found = lookup_zone(answer, whole_answer=True)
    assert found.zone is None and not found.options and found.start == -1


def test_ambiguity_in_a_whole_message_is_reported_with_options() -> None:
    found = lookup_zone("learn sql, I'm in Portland")
    assert found.zone is None and len(found.options) >= 2
    assert "learn sql, I'm in Portland"[found.start : found.end] == "Portland"


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Etc/GMT+3", "UTC−03:00"),
        ("Etc/GMT-5", "UTC+05:00"),
        ("UTC", "UTC"),
        ("America/Los_Angeles", "Los Angeles"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
    ],
)
def test_zone_label(zone: str, label: str) -> None:
    assert zone_label(zone) == label


def test_timezone_from_location() -> None:
    assert timezone_from_location(40.4168, -3.7038) == "Europe/Madrid"
    assert timezone_from_location(95, 0) is None
    assert timezone_from_location("x", 0) is None  # type: ignore[arg-type]
