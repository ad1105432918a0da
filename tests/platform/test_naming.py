"""Slugs and schema names from real Dutch municipality names, and from hostile input."""

from __future__ import annotations

import re

import pytest
from django_tenants.postgresql_backend.base import is_valid_schema_name

from agora.municipalities.naming import SLUG_MAX, derive_slug, schema_name_for
from tests.helpers import assert_raises_code

SAFE_SCHEMA = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@pytest.mark.parametrize(
    ("name", "slug", "schema"),
    [
        ("'s-Hertogenbosch", "s-hertogenbosch", "gm_s_hertogenbosch"),
        ("Súdwest-Fryslân", "sudwest-fryslan", "gm_sudwest_fryslan"),
        ("Nuenen, Gerwen en Nederwetten", "nuenen-gerwen-en-nederwetten", "gm_nuenen_gerwen_en_nederwetten"),
        ("Utrecht", "utrecht", "gm_utrecht"),
        ("Bergen (NH.)", "bergen-nh", "gm_bergen_nh"),
        ("'s-Gravenhage", "s-gravenhage", "gm_s_gravenhage"),
        ("Noardeast-Fryslân", "noardeast-fryslan", "gm_noardeast_fryslan"),
        ("1000 Eilanden", "1000-eilanden", "gm_1000_eilanden"),
    ],
)
def test_real_names(name: str, slug: str, schema: str) -> None:
    assert derive_slug(name) == slug
    assert schema_name_for(slug) == schema
    assert is_valid_schema_name(schema)


@pytest.mark.parametrize(
    "name",
    [
        "x; DROP SCHEMA public",
        'x"; DROP SCHEMA public CASCADE; --',
        "Robert'); DROP TABLE municipalities_municipality;--",
        "pg_catalog",
        "public",
        "a" * 200,
        "Lange naam " * 30,
        "tab\tand\nnewline",
        "🏳️ Vlag-stad 🏳️",
    ],
)
def test_hostile_names_give_safe_schema_names(name: str) -> None:
    slug = derive_slug(name)
    assert len(slug) <= SLUG_MAX
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", slug), slug
    schema = schema_name_for(slug)
    assert SAFE_SCHEMA.match(schema), schema
    assert len(schema.encode()) <= 63  # PostgreSQL's identifier limit
    assert not schema.startswith("pg_")
    assert schema != "public"
    assert is_valid_schema_name(schema)


def test_sql_in_a_name_is_reduced_to_words() -> None:
    assert derive_slug("x; DROP SCHEMA public") == "x-drop-schema-public"


def test_long_names_are_cut_at_a_word_boundary() -> None:
    slug = derive_slug("Gemeente " + "Heel-Lange-Naam-" * 20)
    assert len(slug) <= SLUG_MAX
    assert not slug.endswith("-")


@pytest.mark.parametrize("name", ["", "   ", "😀😀😀", "🏠", "---", "'''", "!!!", None])
def test_unusable_names_are_a_clear_error(name: str | None) -> None:
    with assert_raises_code("municipality_name_unusable", status=400) as caught:
        derive_slug(name)  # type: ignore[arg-type]
    assert "address" in caught.value.message("en")
    assert "adres" in caught.value.message("nl")


@pytest.mark.parametrize("slug", ["", "Utrecht", "a_b", "-a", "a-", "x;drop", "a" * (SLUG_MAX + 1)])
def test_schema_name_for_rejects_anything_but_a_slug(slug: str) -> None:
    with assert_raises_code("municipality_name_unusable"):
        schema_name_for(slug)
