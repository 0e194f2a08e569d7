"""Names to places: aliases, spellings and disambiguation by context and population."""

import pytest

from kg.gazetteer import Gazetteer, fold


@pytest.mark.parametrize(
    ("names", "label", "type_", "country"),
    [
        (["Horgos", "Horgos Port", "Khorgas", "Khorgos", "the Horgos port"], "Horgos", "Port", "CN"),
        (["Alashankou", "Alashankou Pass", "Alataw port", "Alataw Pass", "Alataw"], "Alashankou", "Port", "CN"),
        (["Erenhot", "Erlian"], "Erenhot", "Port", "CN"),
        (["Urumqi", "URUMQI", "Ürümqi", "Urumchi"], "Ürümqi", "City", "CN"),
        (["Liege", "Liège", "LIEGE"], "Liège", "City", "BE"),
        (["Małaszewicze", "Malaszewicze"], "Małaszewicze", "Port", "PL"),
        (["Zamyn-Uud", "Zamiin-Uud"], "Zamyn-Uud", "Port", "MN"),
        (["Hairatan", "Hayratan"], "Hairatan", "Port", "AF"),
        (["Turkey", "Türkiye"], "Turkey", "Country", "TR"),
        (["Xi'an", "Xi’an", "Xian"], "Xi'an", "City", "CN"),
        (["Lodz", "Łódź"], "Łódź", "City", "PL"),
        (["Almaty", "Alma-Ata"], "Almaty", "City", "KZ"),
    ],
)
def test_surface_forms_resolve_to_one_place(gazetteer, names, label, type_, country):
    places = {gazetteer.resolve(n) for n in names}
    assert len(places) == 1, places
    place = places.pop()
    assert (place.label, place.type, place.country) == (label, type_, country)


def test_geonames_alternate_names_do_not_hijack_primary_names(gazetteer):
    # GeoNames lists "Ganzhou" as an alternate name of Zhangye and "Zabaykalsk" of Kultuk.
    assert gazetteer.resolve("Ganzhou").label == "Ganzhou"
    assert gazetteer.resolve("Zabaykalsk").label == "Zabaykalsk"


@pytest.mark.parametrize(
    ("name", "context", "country"),
    [("Brest", ["BY"], "BY"), ("Brest", ["FR"], "FR"), ("Madrid", ["ES"], "ES"),
     ("Madrid", ["CO"], "CO"), ("Madrid", [], "ES")],
)
def test_ambiguous_names_follow_context_then_population(gazetteer, name, context, country):
    assert gazetteer.resolve(name, countries=context).country == country


def test_place_keys_come_from_ids_not_spelling(gazetteer):
    assert gazetteer.resolve("Zhengzhou").key == "geonames/1784658"
    assert gazetteer.resolve("Alataw port").key == gazetteer.resolve("Alashankou").key
    assert gazetteer.resolve("Kazakhstan").key == "country/KZ"


def test_blocked_words_and_regions_are_not_places(gazetteer):
    for word in ("March", "Spring", "Henan", "Xinjiang", "Central Asia", "Europe"):
        assert gazetteer.resolve(word) is None, word


def test_descriptions_and_demonyms(gazetteer):
    assert gazetteer.demonym("Uzbek") == "UZ"
    assert gazetteer.capital("UZ").label == "Tashkent"
    assert gazetteer.largest_city("KZ").label == "Almaty"


def test_curated_tables_work_without_geonames():
    g = Gazetteer(cities=False)
    assert g.resolve("Dostyk").type == "Port"
    assert g.resolve("Zhengzhou") is None


def test_fold():
    assert fold("  The  Liège ") == "liege"
    assert fold("Xi’an") == fold("Xi'an")
