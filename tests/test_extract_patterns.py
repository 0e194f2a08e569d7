"""Each sentence pattern of the extraction, on short sentences written for these tests."""

import datetime as dt

import pytest
from conftest import pairs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A container train left Chengdu for Lodz on Tuesday.", [("Chengdu", "Łódź")]),
        ("A block train carrying furniture departed from Wuhan on Friday, heading towards Duisburg, Germany.",
         [("Wuhan", "Duisburg")]),
        ("A Moscow-bound freight train departed from Changsha on Monday.", [("Changsha", "Moscow")]),
        ("The Yiwu-Madrid freight train arrived on Sunday after a long journey.", [("Yiwu", "Madrid")]),
        ("A train loaded with auto parts was dispatched from Chongqing to Duisburg on Monday.",
         [("Chongqing", "Duisburg")]),
        ("A train left Nanning for Vietnam with 30 containers of fruit.", [("Nanning", "Vietnam")]),
        ("A freight train left Lanzhou for the Uzbek capital on Friday.", [("Lanzhou", "Tashkent")]),
        ("A freight train departed Urumqi for Kazakhstan's largest city on Friday.", [("Ürümqi", "Almaty")]),
        ("A freight train bound for Hamburg set off from Hefei.", [("Hefei", "Hamburg")]),
    ],
)
def test_single_sentence_patterns(extract, text, expected):
    assert pairs(extract(text)) == expected


def test_from_to_via_keeps_travel_order(extract):
    a = extract("The train travelled from Yiwu to Madrid via Kazakhstan, Russia, Belarus and Poland.")
    assert pairs(a) == [("Yiwu", "Madrid")]
    assert [p.label for p in a.routes[0].via] == ["Kazakhstan", "Russia", "Belarus", "Poland"]


def test_links_x_to_y_through_a_and_b(extract):
    a = extract("The new service links Xi'an to Tashkent through Khorgos and Almaty.")
    assert pairs(a) == [("Xi'an", "Tashkent")]
    assert [p.label for p in a.routes[0].via] == ["Horgos", "Almaty"]


def test_one_route_per_destination_through_a_port(extract):
    a = extract("A train loaded with 50 containers left Hefei on Monday. The goods are heading to Russia, "
                "Belarus and Poland through the Manzhouli Port in north China.")
    assert pairs(a) == [("Hefei", "Russia"), ("Hefei", "Belarus"), ("Hefei", "Poland")]
    assert all([p.label for p in r.via] == ["Manzhouli"] for r in a.routes)
    assert all(r.containers == 50 for r in a.routes)


def test_new_destinations_from_the_subject_city(extract):
    a = extract("This year Xi'an has added new direct destinations, including Budapest (Hungary), "
                "Tbilisi (Georgia) and Herne (Netherlands).")
    assert pairs(a) == [("Xi'an", "Budapest"), ("Xi'an", "Tbilisi"), ("Xi'an", "Herne")]


def test_train_continues_across_sentences(extract):
    a = extract("On Friday, a freight train made its departure from the city of Dongguan. The cargo includes "
                "toys and furniture. The train is expected to arrive in Kaluga, Russia in 15 days.")
    assert pairs(a) == [("Dongguan", "Kaluga")]
    route = a.routes[0]
    assert route.cargo == ["toys", "furniture"]
    assert route.days == 15
    assert "Kaluga" in route.evidence


def test_it_refers_to_the_train(extract):
    a = extract("A train departed from Hefei on Monday. It will arrive in Hamburg in about 16 days.")
    assert pairs(a) == [("Hefei", "Hamburg")]
    assert a.routes[0].status == "reported"


def test_destination_refined_inside_its_country(extract):
    a = extract("A freight train linking China to Afghanistan departed Nantong on Thursday. "
                "The train links China's Nantong to Afghanistan's Hairatan through Kazakhstan and Uzbekistan.")
    assert pairs(a) == [("Nantong", "Hairatan")]
    assert [p.label for p in a.routes[0].via] == ["Kazakhstan", "Uzbekistan"]


def test_return_journey_is_its_own_route(extract):
    a = extract("A freight train left Xiamen for Moscow on Monday. On its way back, it carries timber to Xiamen.")
    assert pairs(a) == [("Xiamen", "Moscow"), ("Moscow", "Xiamen")]
    assert a.routes[1].cargo == ["timber"]


def test_figures(extract):
    a = extract("A train with 41 containers weighing 615.8 tons left Zhengzhou for Hamburg. "
                "The journey will take a fortnight.")
    r = a.routes[0]
    assert (r.containers, r.tonnes, r.days) == (41, 615.8, 14)


def test_departure_date_resolved_against_the_article_date(extract):
    a = extract("date 2023-03-15\nA freight train left Chengdu for Lodz on Sunday.")
    assert a.date == dt.date(2023, 3, 15)
    assert a.routes[0].date == dt.date(2023, 3, 12)


def test_dateline_is_not_a_route_end(extract):
    a = extract("URUMQI, Feb. 9 (Xinhua) -- A cargo train left the land port of Urumqi for Kazakhstan on Monday.")
    assert pairs(a) == [("Ürümqi", "Kazakhstan")]
    assert {m.text for m in a.mentions if m.place.label == "Ürümqi"} == {"URUMQI", "Urumqi"}


@pytest.mark.parametrize(
    "text",
    [
        '"Our trains to Duisburg are always full," said a manager in Chongqing.',
        "A truck driver said he would carry apples from Horgos to Almaty.",
        "Almaty is Kazakhstan's largest city and a hub of Central Asian trade.",
        "There are also freight trains between China and Central Asian countries, departing from Tianjin and Xi'an.",
        "Among all journeys this year, 2,128 of them went through Alashankou port, the customs said.",
        "Because of the floods, the train to Moscow did not leave Harbin on Monday.",
        "Specialized trains have been launched for e-commerce, coal machinery and Xinyang tea.",
    ],
)
def test_places_in_passing_are_not_routes(extract, text):
    assert [r for r in extract(text).routes if r.status == "reported"] == []


def test_future_trains_are_kept_apart(extract):
    a = extract("A new service will launch from Hefei to Minsk next month.")
    assert a.routes and all(r.status == "planned" for r in a.routes)


def test_places_are_found_and_typed(extract):
    a = extract("Trucks queued at the Bakti port while trains crossed at Alataw Pass and Erenhot; "
                "officials in Jinhua and Almaty welcomed the news.")
    found = {m.place.label: m.place.type for m in a.mentions}
    assert found == {"Bakti": "Port", "Alashankou": "Port", "Erenhot": "Port", "Jinhua": "City", "Almaty": "City"}


def test_people_and_words_are_not_places(extract):
    a = extract("Peng Tang of the Guangdong branch said in March that Spring is busy, citing Johns Hopkins University.")
    assert a.mentions == []


@pytest.mark.parametrize(
    ("text", "route", "via"),
    [
        ("A China-Europe freight train loaded with 50 TEUs of electronics departed from Xi'an International "
         "Port Station on Tuesday, bound for Duisburg, Germany.", ("Xi'an", "Duisburg"), []),
        ("Loaded with 110 containers of auto parts, the train set off from Changchun, passing through Manzhouli "
         "before reaching Moscow.", ("Changchun", "Moscow"), ["Manzhouli"]),
        ("The service, which connects Jinhua with Tashkent via Kazakhstan, was launched in 2019.",
         ("Jinhua", "Tashkent"), ["Kazakhstan"]),
        ("The Chongqing-Duisburg route is the busiest on the network.", ("Chongqing", "Duisburg"), []),
        ("A train carrying 55 containers of photovoltaic modules departed from Hefei North Station for Tashkent, "
         "Uzbekistan on Wednesday morning.", ("Hefei", "Tashkent"), []),
        ("The X8024 train, the first of the year from Wuhan, will take 15 days to reach Duisburg via Manzhouli.",
         ("Wuhan", "Duisburg"), ["Manzhouli"]),
        ("Shenyang launched a new route to Minsk, Belarus on Monday.", ("Shenyang", "Minsk"), []),
        ("The freight train from Yiwu arrived in Madrid after 21 days.", ("Yiwu", "Madrid"), []),
        ("Over 1,000 trains have travelled between Chongqing and Duisburg this year.", ("Chongqing", "Duisburg"), []),
    ],
)
def test_news_shaped_sentences(extract, text, route, via):
    a = extract(text)
    assert pairs(a) == [route]
    assert [p.label for p in a.routes[0].via] == via
    assert a.routes[0].status == "reported"


def test_cargo_behind_quantities(extract):
    a = extract("A train carrying 500 tonnes of fertilizer and 20 containers of photovoltaic modules left Kunming "
                "for Vientiane.")
    assert a.routes[0].cargo == ["fertilizer"] or "fertilizer" in a.routes[0].cargo
    assert a.routes[0].tonnes == 500
