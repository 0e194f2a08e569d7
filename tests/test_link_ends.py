"""The far end of "a route connecting A in <region> and B", which the parser joins to the region."""

import pytest


def routes(extract, text):
    return [(r.origin.label, r.destination.label if r.destination else None) for r in extract(text).routes]


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("A new rail route connecting Lanzhou City in northwest China's Gansu Province and Alma-Ata started "
         "operations on Monday.", "Lanzhou"),
        ("A new rail route connecting Xi'an in Shaanxi Province and Almaty started operations.", "Xi'an"),
    ],
)
def test_the_end_after_a_region_is_the_destination(extract, text, origin):
    assert routes(extract, text) == [(origin, "Almaty")]


def test_two_countries_after_a_link_are_not_its_ends(extract):
    text = "A route linking Xi'an and Almaty opened on Monday, while Kazakhstan and Russia signed a deal."
    assert ("Xi'an", "Russia") not in routes(extract, text)
