"""Cargo read from the grammar of a train's sentences (sentences written for these tests)."""

import pytest


def cargo(extract, text):
    routes = extract(text).routes
    assert routes, f"no route read from {text!r}"
    return routes[0].cargo


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a value, a batch or a quantity is of the goods themselves
        ("A freight train loaded with 20,000 U.S. dollars worth of auto parts, furniture and other goods left "
         "Xi'an for Almaty on Monday.", ["auto parts", "furniture"]),
        ("A train loaded with 3 million yuan worth of tea left Wuhan for Moscow.", ["tea"]),
        ("The first train for the transportation of potash left Vientiane for Kunming.", ["potash"]),
        ("A train with 40 containers with washing machines left Ankara for Xi'an.", ["washing machines"]),
        ("The train from Kashgar to Tashkent carried 25 wagons of cotton yarn.", ["cotton yarn"]),
        # containers of goods as the subject of the sentence
        ("The containers of sportswear will pass through Kazakhstan before arriving in Duisburg.", ["sportswear"]),
        # a category given by examples is its examples
        ("The train will bring specialities such as dried fruit, spices and silk when returning from Tehran to "
         "Chengdu.", ["dried fruit", "spices", "silk"]),
        # a trade direction is not a kind of goods
        ("A train left Chengdu for Tashkent, carrying export goods of household appliances.",
         ["household appliances"]),
        ("A train carrying export goods left Chengdu for Lodz.", []),
        # nouns coordinated before a head are items of their own, unless they share it
        ("The train carrying timber, coal and paper pulp left Moscow for Shenyang.", ["timber", "coal", "paper pulp"]),
        ("A freight train loaded with 500 tonnes of fertilizer and daily necessities left Kunming for Vientiane.",
         ["fertilizer", "daily necessities"]),
        ("The train carrying iron and steel products left Baotou for Erenhot.", ["iron and steel products"]),
        ("A train loaded with fresh and frozen fish left Murmansk for Chengdu.", ["fresh and frozen fish"]),
        # list items the small model hangs on the train instead of on the first item
        ("A freight train carrying e-commerce parcels, Christmas decorations and small commodities left Yiwu "
         "on Saturday for Liege, Belgium.", ["e-commerce parcels", "Christmas decorations", "small commodities"]),
        # a generic head with a word that says what kind
        ("A train carrying electronic products left Chongqing for Duisburg.", ["electronic products"]),
        # the words keep the text's spacing
        ("The train carried 30 boxes of non-metallic ores from Russia bound for Vientiane.", ["non-metallic ores"]),
    ],
)
def test_cargo_is_the_goods_named(extract, text, expected):
    assert cargo(extract, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A train carrying goods of Chinese companies left Chengdu for Lodz.",  # whose goods, not what
        "A train with 50 containers of the company left Wuhan for Lyon.",
        "A freight train loaded with 20,000 U.S. dollars worth of goods left Xi'an for Almaty.",
    ],
)
def test_an_owner_or_a_value_is_not_cargo(extract, text):
    assert cargo(extract, text) == []


def test_a_demonym_read_as_the_origin_leaves_the_cargo(extract):
    """The annotation convention: "loaded with Vietnamese rice entered China" is Vietnam -> China, rice."""
    route = extract("A freight train loaded with Vietnamese rice entered China via Pingxiang.").routes[0]
    assert (route.origin.label, route.destination.label) == ("Vietnam", "China")
    assert route.cargo == ["rice"]


def test_goods_named_only_by_their_origin_country_are_no_cargo(extract):
    route = extract("A freight train carrying Russian goods entered China via Manzhouli.").routes[0]
    assert route.origin.label == "Russia"
    assert route.cargo == []


def test_a_demonym_that_is_no_origin_stays_on_the_cargo(extract):
    assert cargo(extract, "A train carrying Persian carpets left Tehran for Urumqi.") == ["Persian carpets"]
