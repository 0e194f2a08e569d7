"""One test per kind of mistake real news showed (issue 9), on short sentences written for these tests."""

import datetime as dt

from conftest import pairs


def vias(article, i=0):
    return [p.label for p in article.routes[i].via]


def types(article):
    return {m.place.label: m.place.type for m in article.mentions}


# 1. an end is the most specific place the article gives for that role
def test_country_end_becomes_the_city_named_elsewhere(extract):
    a = extract("A new freight service links Hefei and Valencia in Spain. The first train left Hefei on Monday "
                "and will reach its terminus in Spain in 20 days.")
    assert pairs(a) == [("Hefei", "Valencia")]
    assert types(a)["Valencia"] == "City"


def test_city_comma_country_is_the_city(extract):
    a = extract("The train passed through Kazakhstan and Russia before arriving in Dourges, France.")
    assert [r.destination.label for r in a.routes] == ["Dourges"]
    assert vias(a) == ["Kazakhstan", "Russia"]


# 2. regions are never places
def test_region_names_are_not_countries(extract):
    a = extract("A freight train left Baotou in Inner Mongolia for Tashkent on Friday.")
    assert pairs(a) == [("Baotou", "Tashkent")]
    assert "Mongolia" not in {m.place.label for m in a.mentions}


# 3. a journey told across sentences
def test_origin_and_destination_in_different_sentences(extract):
    a = extract("A freight train with 50 containers set off on Tuesday. The journey, which began in Lanzhou, "
                "will take ten days. The 5,000-km trip to Alma-Ata will take a week.")
    assert pairs(a) == [("Lanzhou", "Almaty")]


# 4. noun-phrase and service statements
def test_rail_link_connecting_x_with_y(extract):
    a = extract("A new rail link connecting Xining, in Qinghai province, with Duisburg in Germany was launched.")
    assert pairs(a) == [("Xining", "Duisburg")]


def test_service_destinations_list(extract):
    a = extract("The Hefei service's destinations include Warsaw, Minsk and Hamburg.")
    assert sorted(pairs(a)) == [("Hefei", "Hamburg"), ("Hefei", "Minsk"), ("Hefei", "Warsaw")]


# 5. return legs
def test_return_leg_goes_back_to_the_origin(extract):
    a = extract("A freight train left Yinchuan for Tehran on Monday. It will carry carpets when returning from Tehran.")
    assert pairs(a) == [("Yinchuan", "Tehran"), ("Tehran", "Yinchuan")]


def test_left_x_bound_for_y(extract):
    a = extract("The first eastbound train left Hamburg on Sunday, bound for Harbin.")
    assert pairs(a) == [("Hamburg", "Harbin")]


# 6. a crossing the service avoids is never transit
def test_avoided_crossing_is_not_in_via(extract):
    a = extract("The new Wuhan-Budapest train avoids the Malaszewicze crossing and enters the EU via Kuznica.")
    assert pairs(a) == [("Wuhan", "Budapest")]
    assert "Małaszewicze" not in vias(a)
    assert "Kuźnica Białostocka" in vias(a)


# crossing points come before the country entered
def test_crossing_point_before_the_country_entered(extract):
    a = extract("A freight train left Harbin for Hamburg. It entered Russia from Manzhouli and then headed to Moscow.")
    assert pairs(a) == [("Harbin", "Hamburg")]
    assert vias(a) == ["Manzhouli", "Russia", "Moscow"]


# 7. names
def test_bracketed_alias_is_one_place(extract):
    a = extract("A freight train from Baotouu (Baotou) arrived in Almaty.")
    assert pairs(a) == [("Baotou", "Almaty")]
    assert {m.text for m in a.mentions if m.place.label == "Baotou"} == {"Baotouu", "Baotou"}


def test_typo_is_corrected_only_with_context(extract, gazetteer):
    a = extract("The train crossed into Poland at Malszewicze and arrived in Lodz, Poland.")
    assert "Małaszewicze" in [m.place.label for m in a.mentions]
    assert gazetteer.near("Malszewicze") is not None
    assert gazetteer.near("Mosxow", among=[]) is None  # no context, no correction


def test_city_port_is_a_port(extract):
    a = extract("The containers went by ship from the port of Alat to Aktau port.")
    labels = {m.text: (m.place.label, m.place.type) for m in a.mentions}
    assert labels["port of Alat"] == ("Port of Baku", "Port")
    assert labels["Aktau port"][1] == "Port"


def test_names_written_together_or_apart(gazetteer):
    assert gazetteer.resolve("Ulan Qab").label == "Ulanqab"
    assert gazetteer.resolve("Bayannur").label == "Bayan Nur"


def test_small_town_needs_its_country(gazetteer):
    assert gazetteer.resolve("Dourges") is None
    assert gazetteer.resolve("Dourges", countries=["FR"]).country == "FR"


# 8. one train, several destinations
def test_one_train_several_destinations(extract):
    a = extract("A train with 82 containers left Xi'an on Monday, heading to Kazakhstan, Kyrgyzstan and Uzbekistan.")
    assert [r.destination.label for r in a.routes] == ["Kazakhstan", "Kyrgyzstan", "Uzbekistan"]
    assert len({r.train for r in a.routes}) == 1


def test_same_train_told_twice_is_one_train(extract):
    a = extract("A freight train left Chengdu for Lodz on Monday. The Chengdu-Lodz train carries electronics.")
    assert pairs(a) == [("Chengdu", "Łódź")]
    assert len({r.train for r in a.routes}) == 1


# 9. dates and the source line
def test_every_train_gets_a_date_and_the_source_is_kept(extract):
    a = extract("source: https://news.example.org/a/1\ndate: 2021-11-19\n\n"
                "A freight train left Xi'an for Budapest on Thursday.")
    assert a.source == "https://news.example.org/a/1"
    assert a.routes[0].date == dt.date(2021, 11, 18)


def test_undated_train_takes_the_publication_date(extract):
    a = extract("date: 2020-03-02\n\nA freight train left Yiwu for Madrid.")
    assert (a.routes[0].date, a.routes[0].date_basis) == (dt.date(2020, 3, 2), "published")


def test_left_the_country_from_a_crossing_is_transit(extract):
    a = extract("A freight train left Zhengzhou for Hamburg on Monday. The train left the country from Erenhot.")
    assert pairs(a) == [("Zhengzhou", "Hamburg")]
    assert vias(a) == ["Erenhot"]


def test_cargo_misparsed_as_subject_still_ties_to_the_train(extract):
    a = extract("A cargo train laden with products like laptops and textiles was leaving Hefei for Hamburg, Germany.")
    assert pairs(a) == [("Hefei", "Hamburg")]


def test_existential_sentence_counts_only_a_whole_route(extract):
    assert pairs(extract("There was a train service from Hefei to Hamburg each day.")) == [("Hefei", "Hamburg")]
    assert pairs(extract("There are also freight trains departing from Tianjin and Zhengzhou.")) == []


def test_plans_for_more_services_are_planned(extract):
    a = extract("The province plans to launch more freight train services from Guiyang to destinations such as Poland.")
    assert a.routes and all(r.status == "planned" for r in a.routes)


def test_clause_hung_on_a_cargo_noun_still_tells_the_train(extract):
    a = extract("The first container train, loaded with furniture components, departed from Wuhan, China, "
                "and headed to Lyon, France.")
    assert pairs(a) == [("Wuhan", "Lyon")]


def test_link_launched_on_a_named_corridor(extract):
    a = extract("A new rail link was launched on the New Silk Road connecting Xining, in the Qinghai province, "
                "with Hamburg in Germany.")
    assert pairs(a) == [("Xining", "Hamburg")]


def test_port_anaphora_names_the_port(extract):
    a = extract("Erenhot is the largest land port on the border. The 500th train passing through the port "
                "departed from Putian for Hamburg.")
    assert pairs(a) == [("Putian", "Hamburg")]
    assert vias(a) == ["Erenhot"]
    assert "the port" not in {m.text for m in a.mentions}


def test_first_port_of_a_transit_country_goes_before_it(extract):
    a = extract("A train left Xi'an for Tashkent via Kazakhstan. The containers were transshipped at Altynkol. "
                "The train then travelled on to Saryagash.")
    assert pairs(a) == [("Xi'an", "Tashkent")]
    assert vias(a) == ["Altynkol", "Kazakhstan", "Saryagash"]


def test_a_stop_in_a_city_is_transit(extract):
    a = extract("A freight train left Langfang for Tashkent. The train will make a stop in Kashgar.")
    assert pairs(a) == [("Langfang", "Tashkent")]
    assert vias(a) == ["Kashgar"]


def test_final_destination_beyond_the_first(extract):
    a = extract("A freight train left Kunming for Vientiane. The goods will then set out for their final "
                "destination in Bangkok, Thailand.")
    assert pairs(a) == [("Kunming", "Bangkok")]
    assert vias(a) == ["Vientiane"]


def test_a_border_port_end_gives_way_to_the_end_beyond(extract):
    a = extract("A freight train heading to Irkeshtam left Kashgar on Monday. "
                "The train will then deliver the cargo to Osh in Kyrgyzstan.")
    assert pairs(a) == [("Kashgar", "Osh")]
    assert vias(a) == ["Irkeshtam"]


def test_countries_naming_a_border_are_not_transit(extract):
    a = extract("A train left Guiyang for Moscow. It will leave China via Manzhouli on the China-Russia border.")
    assert pairs(a) == [("Guiyang", "Moscow")]
    assert vias(a) == ["Manzhouli"]


def test_own_country_is_no_transit_but_a_transit_country_stays(extract):
    a = extract("A freight train left Baotou for Osh, crossing northern China. In Kyrgyzstan, the train will "
                "stop in Jalal-Abad.")
    assert pairs(a) == [("Baotou", "Osh")]
    assert "China" not in vias(a)
    assert "Kyrgyzstan" in vias(a)


def test_a_previous_train_is_not_this_one(extract):
    a = extract("The new train from Changsha to Moscow saves three days compared with the previous train link "
                "transferred at Minsk.")
    assert pairs(a) == [("Changsha", "Moscow")]
    assert vias(a) == []


def test_headline_train_without_origin_is_the_body_train(extract):
    a = extract("Hefei doubles Hamburg-bound train service.\n\nA cargo train left Hefei for Hamburg on Monday.")
    assert pairs(a) == [("Hefei", "Hamburg")]


def test_place_joined_to_the_wrong_verb_still_ends_the_link(extract):
    a = extract("China has opened a cargo train service linking the eastern city of Yiwu, the world's largest "
                "wholesale market for small goods, and Madrid in Spain.")
    assert pairs(a) == [("Yiwu", "Madrid")]


def test_existential_clause_does_not_swallow_the_next_clause(extract):
    a = extract("A train left Guiyang for Moscow. There is no stop along the route and the train will leave "
                "China via Manzhouli.")
    assert vias(a) == ["Manzhouli"]


def test_its_final_stop_is_the_destination(extract):
    a = extract("A freight train set off from Zhengzhou on Wednesday. Its final stop is Hamburg.")
    assert pairs(a) == [("Zhengzhou", "Hamburg")]


def test_a_hyphenated_crossing_is_two_transit_points(extract):
    a = extract("A train left Chengdu for Tilburg. It runs via Dostyk and reaches the European gauge again "
                "at the Brest-Malaszewicze crossing.")
    assert pairs(a) == [("Chengdu", "Tilburg")]
    assert vias(a) == ["Dostyk", "Brest", "Małaszewicze"]


def test_leaving_a_union_at_a_crossing_is_transit(extract):
    a = extract("A return train left Duisburg for Chongqing on Wednesday. The train will leave the European "
                "Union at Malaszewicze. Its containers will change gauge in Brest.")
    assert pairs(a) == [("Duisburg", "Chongqing")]
    assert vias(a) == ["Małaszewicze", "Brest"]


def test_goods_of_a_country_entering_another(extract):
    a = extract("A freight train loaded with Lao corn entered China via Mohan on Sunday.")
    assert pairs(a) == [("Laos", "China")]
    assert vias(a) == ["Mohan"]


def test_a_told_return_between_countries_is_a_route(extract):
    a = extract("A freight train left Kunming for Bangkok on Tuesday. While returning from Thailand, the train "
                "will carry durian to China.")
    assert pairs(a) == [("Kunming", "Bangkok"), ("Thailand", "China")]


def test_generic_country_pairs_are_no_route(extract):
    assert pairs(extract("China-Europe freight transport has been operating through ports between China "
                         "and Kazakhstan.")) == []


def test_people_of_a_country_are_not_a_place_on_the_way(extract):
    a = extract("A train left Xi'an for Tashkent. The service follows agreements between the presidents of "
                "Kazakhstan and Uzbekistan.")
    assert pairs(a) == [("Xi'an", "Tashkent")]
    assert vias(a) == []


def test_a_country_crossed_stays_when_the_end_becomes_a_city_in_it(extract):
    a = extract("A train from Hefei arrived in Poland on Monday. It travelled through Belarus before crossing "
                "into Poland at Malaszewicze. Its containers were unloaded in Lodz.")
    assert pairs(a) == [("Hefei", "Łódź")]
    assert vias(a) == ["Belarus", "Małaszewicze", "Poland"]


def test_a_service_list_is_one_service_per_destination(extract):
    a = extract("Several new direct destinations have been added to the Zhengzhou service this year, including "
                "Belgrade, Baku and Istanbul.")
    assert len({r.train for r in a.routes}) == len(a.routes) == 3


def test_a_company_name_beside_a_bracketed_city_is_no_alias(extract):
    a = extract("The train was sent by Taitong International Transport (Langfang) Co. from Langfang to Osh.")
    assert "Transport" not in {m.text for m in a.mentions}


def test_a_second_train_in_the_same_sentence_is_its_own(extract):
    a = extract("A freight train was dispatched from Changsha to Almaty on Tuesday, while a new service "
                "to Tehran will launch next month.")
    reported = [(r.origin.label, r.destination.label) for r in a.routes if r.status == "reported"]
    planned = [(r.origin.label, r.destination.label) for r in a.routes if r.status == "planned"]
    assert reported == [("Changsha", "Almaty")]
    assert planned == [("Changsha", "Tehran")]


def test_a_dateline_is_no_part_of_the_first_sentence(extract):
    a = extract("GANZHOU, May 20 -- A train loaded with furniture left Ganzhou on Wednesday for Moscow.")
    assert pairs(a) == [("Ganzhou", "Moscow")]


def test_air_and_road_are_no_trains(extract):
    assert pairs(extract("Changsha also opened a cargo flight route to Chicago this year.")) == []


def test_a_city_operating_services_is_their_origin(extract):
    a = extract("Qingdao already operates regular freight services to Almaty and Bishkek.")
    assert sorted(pairs(a)) == [("Qingdao", "Almaty"), ("Qingdao", "Bishkek")]


def test_trade_onward_is_no_train_journey(extract):
    a = extract("A freight train left Qingdao for Tashkent on Sunday. The shipment will be distributed from "
                "Tashkent to retailers in Samarkand.")
    assert pairs(a) == [("Qingdao", "Tashkent")]


def test_a_train_named_after_its_destination(extract):
    a = extract("A train left Ganzhou for Moscow on Wednesday. The city's first Moscow train ran in 2019.")
    assert pairs(a) == [("Ganzhou", "Moscow")]


def test_a_city_border_port_is_the_port(extract):
    a = extract("The train left Nanning for Hanoi, leaving China at the Pingxiang border port.")
    assert pairs(a) == [("Nanning", "Hanoi")]
    assert vias(a) == ["Pingxiang Port"]


def test_a_hub_in_a_city_is_the_city(extract):
    a = extract("A freight train departed from the Jiaozhou hub in Qingdao on Sunday, heading for Tashkent.")
    assert pairs(a) == [("Qingdao", "Tashkent")]


def test_hopes_are_plans(extract):
    a = extract("The port group hopes to add a second weekly train from Qingdao to Tashkent.")
    assert a.routes and all(r.status == "planned" for r in a.routes)
