"""The date resolver: expressions in news text -> a date and its precision, against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.dates import describe, find_dates, parse_date_bound, period_end, train_date

MONDAY = dt.date(2021, 11, 22)  # a Monday


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("A train left Xi'an on Sunday.", dt.date(2021, 11, 21), "day"),
        ("A train left on Monday.", MONDAY, "day"),
        ("A train left last Monday.", dt.date(2021, 11, 15), "day"),
        ("A train will leave next Friday.", dt.date(2021, 11, 26), "day"),
        ("It departed on Nov. 18, 2021 from Chengdu.", dt.date(2021, 11, 18), "day"),
        ("It departed on 3 March 2019.", dt.date(2019, 3, 3), "day"),
        ("At 12:30 pm on November 17, a train left.", dt.date(2021, 11, 17), "day"),
        ("On Dec. 30 a train left.", dt.date(2020, 12, 30), "day"),
        ("A train left yesterday.", dt.date(2021, 11, 21), "day"),
        ("Last week a train left.", dt.date(2021, 11, 15), "week"),
        ("In March, trains ran.", dt.date(2021, 3, 1), "month"),
        ("In December a train ran.", dt.date(2020, 12, 1), "month"),
        ("Last month a train ran.", dt.date(2021, 10, 1), "month"),
        ("The train ran in May 2020.", dt.date(2020, 5, 1), "month"),
        ("Earlier this year the line opened.", dt.date(2021, 1, 1), "year"),
        ("Last year a train ran.", dt.date(2020, 1, 1), "year"),
        ("In 2019 the first train ran.", dt.date(2019, 1, 1), "year"),
        ("The train of 2019-05-06 ran.", dt.date(2019, 5, 6), "day"),
    ],
)
def test_expressions_resolve_against_the_publication_date(text, value, precision):
    found = train_date(text, MONDAY)
    assert found is not None, text
    assert (found.value, found.precision) == (value, precision)


def test_january_first_rolls_over_a_year_boundary():
    found = train_date("Last month a train left.", dt.date(2022, 1, 10))
    assert (found.value, found.precision) == (dt.date(2021, 12, 1), "month")
    assert train_date("last week", dt.date(2022, 1, 3)).value == dt.date(2021, 12, 27)


@pytest.mark.parametrize(
    "text",
    [
        "A train left on Sunday.",
        "In March a train left.",
        "Last week a train left.",
        "On November 17 a train left.",
    ],
)
def test_relative_dates_without_a_publication_date_are_found_but_not_guessed(text):
    found = train_date(text, None)
    assert found is not None and found.value is None


def test_absolute_dates_need_no_publication_date():
    assert train_date("It left on Nov. 18, 2021.", None).value == dt.date(2021, 11, 18)
    assert train_date("It left in 2019.", None).precision == "year"


@pytest.mark.parametrize(
    "text",
    [
        "Since 2016, 1,200 trains ran.",
        "As of November 15, the total rose.",
        "The line will be finished by 2025.",
        "It carried 2,019 containers.",
        "Trains may run every day.",
        "A 2019 km line.",
    ],
)
def test_bounds_counts_and_lookalikes_are_no_train_date(text):
    assert train_date(text, MONDAY) is None


def test_the_first_date_of_a_sentence_wins_and_names_are_blocked():
    text = "A train that the Sunday Herald saw left on Monday."
    start = text.index("Sunday")
    assert train_date(text, MONDAY).text == "Sunday"
    assert train_date(text, MONDAY, blocked=[(start, start + 13)]).text == "Monday"
    assert [f.text for f in find_dates("On Nov. 18, 2021 and in 2019.", MONDAY)] == ["Nov. 18, 2021", "2019"]


def test_periods_end_where_they_should():
    assert period_end(dt.date(2020, 2, 1), "month") == dt.date(2020, 2, 29)
    assert period_end(dt.date(2021, 12, 1), "month") == dt.date(2021, 12, 31)
    assert period_end(dt.date(2021, 11, 15), "week") == dt.date(2021, 11, 21)
    assert period_end(dt.date(2021, 1, 1), "year") == dt.date(2021, 12, 31)


def test_bounds_given_on_the_command_line():
    assert parse_date_bound("2019") == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert parse_date_bound("2020-02") == (dt.date(2020, 2, 1), dt.date(2020, 2, 29))
    assert parse_date_bound("2021-03-04") == (dt.date(2021, 3, 4), dt.date(2021, 3, 4))
    for bad in ("yesterday", "2021-13", "2021-02-30", "21-01-01", ""):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            parse_date_bound(bad)


def _first_route(article):
    reported = [r for r in article.routes if r.status == "reported"]
    assert reported, article.routes
    return reported[0]


def test_a_train_gets_the_date_its_text_gives_with_its_precision(extract):
    day = _first_route(extract("date: 2021-11-22\n\nA freight train left Chengdu for Lodz on Sunday."))
    assert (day.date, day.date_precision, day.date_basis) == (dt.date(2021, 11, 21), "day", "stated")
    month = _first_route(extract("date: 2021-11-22\n\nIn March, a freight train left Chengdu for Lodz."))
    assert (month.date, month.date_precision, month.date_basis) == (dt.date(2021, 3, 1), "month", "stated")


def test_an_undated_train_takes_the_publication_date_and_no_date_is_invented(extract):
    plain = _first_route(extract("date: 2021-11-22\n\nA freight train left Chengdu for Lodz."))
    assert (plain.date, plain.date_precision, plain.date_basis) == (dt.date(2021, 11, 22), "day", "published")
    unknown = _first_route(extract("A freight train left Chengdu for Lodz on Sunday."))
    assert unknown.date is None and unknown.date_basis is None
    absolute = _first_route(extract("A freight train left Chengdu for Lodz on Nov. 18, 2021."))
    assert (absolute.date, absolute.date_basis) == (dt.date(2021, 11, 18), "stated")


@pytest.mark.parametrize(("value", "precision", "text"), [
    ("2021-11-18", "day", "on 2021-11-18"), ("2021-11-15", "week", "in the week of 2021-11-15"),
    ("2021-03-01", "month", "in March 2021"), ("2021-01-01", "year", "in 2021"),
    (dt.date(2020, 12, 1), "month", "in December 2020"), (None, "day", None),
])
def test_a_date_is_described_at_its_precision(value, precision, text):
    assert describe(value, precision) == text
