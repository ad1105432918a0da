"""Dutch names: splitting and similarity (the ground the comparison stands on)."""

from __future__ import annotations

import pytest

from tenants.networkmap.phones import try_normalise_phone
from tenants.nominations.comparison import AMBIGUOUS_THRESHOLD
from tenants.nominations.names import NameParts, name_similarity, parse_full_name, split_surname


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Jan van der Berg", ("Jan", "van der", "Berg")),
        ("J. v.d. Berg", ("J.", "v.d.", "Berg")),
        ("Berg, Jan van der", ("Jan", "van der", "Berg")),
        ("Jan Willem de Vries", ("Jan Willem", "de", "Vries")),
        ("Mehmet Özdemir", ("Mehmet", "", "Özdemir")),
        ("Berg, van der", ("", "van der", "Berg")),
        ("Jansen", ("", "", "Jansen")),
    ],
)
def test_parse_full_name(text, parts):
    assert parse_full_name(text) == NameParts(*parts)


def test_split_surname_keeps_arabic_articles():
    assert split_surname("van der Berg") == ("van der", "Berg")
    assert split_surname("Berg, van der") == ("van der", "Berg")
    assert split_surname("El Amrani") == ("", "El Amrani")
    assert split_surname("Berg", "van den") == ("van den", "Berg")


JAN = NameParts("Jan", "van der", "Berg")


@pytest.mark.parametrize(
    ("other", "same_person"),
    [
        (parse_full_name("J. v.d. Berg"), True),
        (parse_full_name("Berg, Jan van der"), True),
        (NameParts("Berg", "van der", "Jan"), True),  # swapped
        (NameParts("jan", "", "VAN DER BERG"), True),
        (NameParts("Piet", "van der", "Berg"), False),
        (NameParts("Jan", "", "Bakker"), False),
        (NameParts("K.", "", "Berg"), False),
    ],
)
def test_name_similarity_around_the_threshold(other, same_person):
    assert (name_similarity(JAN, other) >= AMBIGUOUS_THRESHOLD) is same_person


def test_diacritics_and_swaps():
    assert name_similarity(NameParts("Mehmet", "", "Özdemir"), NameParts("Mehmet", "", "Ozdemir")) == 100
    assert name_similarity(NameParts("Mehmet", "", "Özdemir"), NameParts("Ozdemir", "", "Mehmet")) >= 95
    assert name_similarity(NameParts("Jan", "de", "Vries"), NameParts("Piet", "de", "Vries")) < 70


def test_phone_formats_are_one_number():
    forms = {"06-12345678", "+31 6 1234 5678", "0031612345678", "(06) 123 456 78", "+31612345678"}
    assert {try_normalise_phone(form) for form in forms} == {"+31612345678"}
