"""Transit points a later sentence lists for the train an article tells of (sentences written for these tests)."""

import pytest


def routes(extract, text):
    return [(r.origin.label, r.destination.label, [v.label for v in r.via]) for r in extract(text).routes]


@pytest.mark.parametrize(
    "second",
    [
        "The 9,000-km line passes five countries apart from China and Germany, including Kazakhstan, Russia, "
        "Belarus and Poland.",
        "The train passes four countries, including Kazakhstan, Russia, Belarus and Poland.",
        "The route passes through Kazakhstan, Russia, Belarus and Poland.",
        "The journey crosses four nations including Kazakhstan, Russia, Belarus and Poland.",
    ],
)
def test_the_countries_a_train_passes_are_its_transits(extract, second):
    text = "A freight train left Chongqing for Duisburg on Friday. " + second
    assert routes(extract, text) == [("Chongqing", "Duisburg", ["Kazakhstan", "Russia", "Belarus", "Poland"])]


@pytest.mark.parametrize(
    "text",
    [
        "The line between Belgrade and Budapest will be upgraded by 2025.",
        "The Belgrade-Budapest line will be upgraded by 2025.",
        "Trade between the two countries, including Kazakhstan and China, grew by 20 percent.",
    ],
)
def test_a_railway_line_or_a_list_of_countries_alone_is_no_route(extract, text):
    assert routes(extract, text) == []


def test_the_countries_a_service_goes_to_are_its_destinations(extract):
    text = "So far, Hefei has opened freight train links to 12 European countries such as Germany and Hungary."
    assert routes(extract, text) == [("Hefei", "Germany", []), ("Hefei", "Hungary", [])]
