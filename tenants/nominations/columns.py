"""What a list's columns mean and how one row's cells become a person's normalised data.

Headers are matched case-, space-, punctuation- and diacritics-insensitively against Dutch and
English names ("E-mail", "e mail", "EMAIL" and "E-mailadres" are one column). Unknown columns
are kept in the raw row and reported as ignored. Neighbourhoods and communities must already be
on this municipality's map (matched by name the same insensitive way): an unknown one is an
error on that row, so that a typo in a list never grows the municipality's curated lists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation

from agora.errors import DomainError, ErrorSpec, registered_codes
from agora.names import unsafe_characters
from tenants.networkmap.phones import try_normalise_phone
from tenants.nominations import errors
from tenants.nominations.names import NameParts, clean, fold, parse_full_name, split_surname

# field → header names (compared after folding and removing spaces).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("voornaam", "voornamen", "roepnaam", "first name", "firstname", "given name"),
    "infix": ("tussenvoegsel", "tussenvoegsels", "tv", "voorvoegsel", "infix", "name prefix"),
    "last_name": (
        "achternaam", "familienaam", "geslachtsnaam", "last name", "lastname", "surname", "family name",
    ),
    "full_name": ("naam", "volledige naam", "name", "full name"),
    "mobile": (
        "mobiel", "mobiel nummer", "mobielnummer", "telefoon", "telefoonnummer", "tel", "gsm",
        "06", "mobile", "mobile number", "phone", "phone number", "telephone",
    ),
    "email": ("e-mail", "email", "e-mailadres", "emailadres", "mail", "e-mail address", "email address"),
    "neighbourhood": ("wijk", "woonwijk", "neighbourhood", "neighborhood"),
    "communities": ("gemeenschap", "gemeenschappen", "community", "communities"),
    "represents": ("vertegenwoordigt", "vertegenwoordiger van", "namens", "represents"),
    "influence_notes": (
        "invloed", "toelichting", "opmerking", "opmerkingen", "notities", "influence", "notes",
        "influence notes", "remarks",
    ),
    "is_professional_representative": (
        "professionele organisatie", "professioneel", "beroepsmatig", "professional organisation",
        "professional organization", "professional", "professional representative",
    ),
}  # fmt: skip
# Several columns may feed this field; their texts are joined (e.g. "Invloed" and "Toelichting").
JOINED_FIELDS = frozenset({"influence_notes"})
FIELD_LABELS = {
    "first_name": "Voornaam",
    "infix": "Tussenvoegsel",
    "last_name": "Achternaam",
    "full_name": "Naam",
    "mobile": "Mobiel",
    "email": "E-mail",
    "neighbourhood": "Wijk",
    "communities": "Gemeenschap",
    "represents": "Vertegenwoordigt",
    "influence_notes": "Invloed/Toelichting",
    "is_professional_representative": "Professionele organisatie",
}
YES = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
NO = frozenset({"nee", "n", "no", "false", "onwaar", "0", "-", ""})
# Limits of the KeyFigure columns the data ends up in.
MAX_LENGTHS = {"first_name": 100, "infix": 20, "last_name": 100, "represents": 200}


def header_key(text: str) -> str:
    return fold(text).replace(" ", "")


_ALIAS_TO_FIELD = {header_key(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


@dataclass
class ColumnMap:
    """Which column positions feed which field, and which headers were not understood."""

    positions: dict[str, list[int]]
    ignored: list[str]

    def has(self, name: str) -> bool:
        return name in self.positions


def map_columns(header: list[str]) -> ColumnMap:
    """Understand a header row, or raise a file-level error (missing or duplicate columns)."""
    positions: dict[str, list[int]] = defaultdict(list)
    ignored: list[str] = []
    for index, title in enumerate(header):
        name = _ALIAS_TO_FIELD.get(header_key(title))
        if name is None:
            if title:
                ignored.append(title)
            continue
        positions[name].append(index)
    for name, found in positions.items():
        if len(found) > 1 and name not in JOINED_FIELDS:
            raise errors.FILE_DUPLICATE_COLUMN(
                fields={"file": [name]},
                columns=", ".join(header[i] for i in found),
                field=FIELD_LABELS[name],
            )
    has_split = "first_name" in positions and "last_name" in positions
    if not has_split and "full_name" not in positions:
        missing = [FIELD_LABELS[n] for n in ("first_name", "last_name") if n not in positions]
        raise errors.FILE_MISSING_COLUMNS(
            fields={"file": missing},
            missing=", ".join(missing) + " (of: Naam)",
            found=", ".join(h for h in header if h) or "-",
        )
    if has_split:
        positions.pop("full_name", None)  # the split columns are more reliable; Naam is ignored
    return ColumnMap(positions=dict(positions), ignored=ignored)


# Row-error parameters that are not a person's data (a line number, a length limit). Every
# other parameter (the cell's value: a phone number, an e-mail address, a name) is shown to the
# uploader in the import's own report but never stored with the run: the runs' history is read
# by all staff (API, admin) and must not become an unlogged copy of people's data.
STORED_PARAMS = frozenset({"line", "limit"})
_WITHHELD = {"en": "(value not stored)", "nl": "(waarde niet bewaard)"}


@dataclass(frozen=True)
class RowError:
    """One problem on one line; the message is rendered from the stable code in either language."""

    line: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "params": self.params}

    def stored_dict(self) -> dict[str, Any]:
        """As kept with the import run: line, column, code; no personal values."""
        return {**self.as_dict(), "params": stored_params(self.params)}


def stored_params(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in (params or {}).items() if name in STORED_PARAMS}


class _Withheld(str):
    """Stands in for a value that was not stored (also where a template asks for its ``!r``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def describe_row_error(error: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """A row error (``RowError.as_dict()`` or a stored one) with its message.

    In the active language by default; a value that was not stored reads "(value not stored)".
    """
    spec = registered_codes().get(error.get("code", ""))
    params = error.get("params") or {}
    if spec:
        language = (language or translation.get_language() or "nl")[:2]
        template = spec.en if language == "en" else spec.nl
        wanted = {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(template) if name}
        withheld = _Withheld(_WITHHELD["en" if language == "en" else "nl"])
        params = {**dict.fromkeys(wanted, withheld), **params}
        detail = DomainError(spec, params=params).message(language)
    else:
        detail = error.get("code", "")
    return {
        "line": error.get("line"),
        "column": error.get("column", ""),
        "code": error.get("code", ""),
        "detail": detail,
    }


@dataclass
class Lookups:
    """This municipality's neighbourhoods and communities by folded name (one query each per import)."""

    neighbourhoods: dict[str, int]
    communities: dict[str, list[int]]

    @classmethod
    def load(cls) -> Lookups:
        from tenants.networkmap.models import Community, Neighbourhood

        neighbourhoods: dict[str, int] = {}
        for pk, name, code in Neighbourhood.objects.values_list("pk", "name", "cbs_code"):
            neighbourhoods[fold(name)] = pk
            if code:
                neighbourhoods.setdefault(fold(code), pk)
        communities: dict[str, list[int]] = defaultdict(list)
        for pk, name in Community.objects.values_list("pk", "name"):
            communities[fold(name)].append(pk)
        return cls(neighbourhoods=neighbourhoods, communities=dict(communities))


@dataclass
class RowData:
    """One person as a list row says it, normalised. Fields whose column is absent are not in ``present``."""

    line: int
    names: NameParts
    raw: dict[str, str]
    present: frozenset[str]
    mobile: str = ""
    email: str = ""
    neighbourhood_id: int | None = None
    community_ids: frozenset[int] = frozenset()
    represents: str = ""
    influence_notes: str = ""
    is_professional_representative: bool = False


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def parse_row(
    line: int, cells: list[str], header: list[str], columns: ColumnMap, lookups: Lookups
) -> tuple[RowData | None, list[RowError]]:
    """Turn one row into :class:`RowData`, or collect every error on it (all of them, not the first)."""
    problems: list[RowError] = []

    def value(name: str) -> str:
        texts = [_cell(cells, i) for i in columns.positions.get(name, [])]
        return "\n".join(t for t in texts if t)

    def column_title(name: str) -> str:
        found = columns.positions.get(name)
        return header[found[0]] if found else FIELD_LABELS[name]

    def problem(name: str, spec: ErrorSpec, **params: Any) -> None:
        problems.append(RowError(line=line, column=column_title(name), code=spec.code, params=params))

    raw = {title or f"#{i + 1}": _cell(cells, i) for i, title in enumerate(header)}
    for extra in range(len(header), len(cells)):
        if cells[extra].strip():
            raw[f"#{extra + 1}"] = cells[extra].strip()

    if columns.has("full_name"):
        names = parse_full_name(value("full_name"))
        name_column = "full_name"
    else:
        infix, last_name = split_surname(value("last_name"), value("infix"))
        names = NameParts(first_name=clean(value("first_name")), infix=infix, last_name=last_name)
        name_column = "last_name" if not last_name else "first_name"
    if not names.first_name or not names.last_name:
        problem(name_column, errors.ROW_MISSING_NAME)
    for name in ("first_name", "infix", "last_name"):
        if unsafe := unsafe_characters(getattr(names, name)):
            problem(
                name if columns.has(name) else "full_name",
                errors.ROW_UNSAFE_CHARACTERS,
                characters=", ".join(unsafe),
            )
        if len(getattr(names, name)) > MAX_LENGTHS[name]:
            problem(name if columns.has(name) else "full_name", errors.ROW_TOO_LONG, limit=MAX_LENGTHS[name])

    mobile = ""
    if raw_phone := value("mobile"):
        mobile = try_normalise_phone(raw_phone) or ""
        if not mobile:
            problem("mobile", errors.ROW_INVALID_PHONE, value=raw_phone)

    email = ""
    if raw_email := value("email"):
        try:
            validate_email(raw_email)
            email = raw_email.lower()
        except ValidationError:
            problem("email", errors.ROW_INVALID_EMAIL, value=raw_email)

    neighbourhood_id = None
    if raw_neighbourhood := value("neighbourhood"):
        neighbourhood_id = lookups.neighbourhoods.get(fold(raw_neighbourhood))
        if neighbourhood_id is None:
            problem("neighbourhood", errors.ROW_UNKNOWN_NEIGHBOURHOOD, value=raw_neighbourhood)

    community_ids: set[int] = set()
    raw_communities = value("communities").replace(",", ";").replace("\n", ";")
    for name in filter(None, (part.strip() for part in raw_communities.split(";"))):
        found = lookups.communities.get(fold(name), [])
        if not found:
            problem("communities", errors.ROW_UNKNOWN_COMMUNITY, value=name)
        elif len(found) > 1:
            problem("communities", errors.ROW_AMBIGUOUS_COMMUNITY, value=name)
        else:
            community_ids.add(found[0])

    represents = clean(value("represents"))
    if unsafe := unsafe_characters(represents):
        problem("represents", errors.ROW_UNSAFE_CHARACTERS, characters=", ".join(unsafe))
    if len(represents) > MAX_LENGTHS["represents"]:
        problem("represents", errors.ROW_TOO_LONG, limit=MAX_LENGTHS["represents"])

    is_professional = False
    raw_flag = fold(value("is_professional_representative"))
    if raw_flag in YES:
        is_professional = True
    elif raw_flag not in NO:
        problem(
            "is_professional_representative",
            errors.ROW_INVALID_YES_NO,
            value=value("is_professional_representative"),
        )

    if problems:
        return None, problems
    present = set(columns.positions) - {"full_name"} | {"first_name", "infix", "last_name"}
    return (
        RowData(
            line=line,
            names=names,
            raw=raw,
            present=frozenset(present),
            mobile=mobile,
            email=email,
            neighbourhood_id=neighbourhood_id,
            community_ids=frozenset(community_ids),
            represents=represents,
            influence_notes=value("influence_notes").strip(),
            is_professional_representative=is_professional,
        ),
        [],
    )
