"""Stable error codes of the nomination lists.

File-level codes (``nomination_file_*``) are raised as :class:`~agora.errors.DomainError`: the
whole import stops and nothing is written. Row-level codes (``nomination_row_*``) are never
raised; they are collected per line in the import report so that one bad row does not stop
the rest. Both are declared here with ``error_code`` so that their messages exist in Dutch and
English and the codes stay stable.
"""

from agora.errors import error_code

# --- the file as a whole: nothing is written ---
FILE_EMPTY = error_code(
    "nomination_file_empty",
    en="The file is empty or has no rows below its header.",
    nl="Het bestand is leeg of heeft geen regels onder de kopregel.",
)
FILE_UNSUPPORTED = error_code(
    "nomination_file_unsupported",
    en="Only CSV and Excel (.xlsx) files can be imported, not {kind}.",
    nl="Alleen CSV- en Excelbestanden (.xlsx) kunnen worden ingelezen, geen {kind}.",
)
FILE_UNREADABLE = error_code(
    "nomination_file_unreadable",
    en="The file could not be read as {kind}: {reason}",
    nl="Het bestand kon niet als {kind} worden gelezen: {reason}",
)
FILE_MISSING_COLUMNS = error_code(
    "nomination_file_missing_columns",
    en="Required columns are missing: {missing}. Columns found: {found}.",
    nl="Verplichte kolommen ontbreken: {missing}. Gevonden kolommen: {found}.",
)
FILE_DUPLICATE_COLUMN = error_code(
    "nomination_file_duplicate_column",
    en="The columns {columns} all mean {field}; keep one.",
    nl="De kolommen {columns} betekenen allemaal {field}; houd er één.",
)
FILE_TOO_LARGE = error_code(
    "nomination_file_too_large",
    en="The file is too large (at most {limit}).",
    nl="Het bestand is te groot (maximaal {limit}).",
)
SHEET_TOO_LARGE = error_code(
    "nomination_sheet_too_large",
    en="The sheet spans {rows} rows and {columns} columns; at most {max_rows} rows and "
    "{max_columns} columns.",
    nl="Het werkblad beslaat {rows} rijen en {columns} kolommen; maximaal {max_rows} rijen en "
    "{max_columns} kolommen.",
)
INVALID_SOURCE = error_code(
    "nomination_invalid_source",
    en="{source!r} is not a list: choose municipality or police.",
    nl="{source!r} is geen lijst: kies municipality (gemeente) of police (politie).",
)

# --- one row: reported with its line number, the other rows go on ---
ROW_MISSING_NAME = error_code(
    "nomination_row_missing_name",
    en="First name and last name are required.",
    nl="Voornaam en achternaam zijn verplicht.",
)
ROW_INVALID_PHONE = error_code(
    "nomination_row_invalid_phone",
    en="{value!r} is not a valid phone number.",
    nl="{value!r} is geen geldig telefoonnummer.",
)
ROW_INVALID_EMAIL = error_code(
    "nomination_row_invalid_email",
    en="{value!r} is not a valid e-mail address.",
    nl="{value!r} is geen geldig e-mailadres.",
)
ROW_UNKNOWN_NEIGHBOURHOOD = error_code(
    "nomination_row_unknown_neighbourhood",
    en="There is no neighbourhood {value!r} in this municipality.",
    nl="Er is geen wijk {value!r} in deze gemeente.",
)
ROW_UNKNOWN_COMMUNITY = error_code(
    "nomination_row_unknown_community",
    en="There is no community {value!r} in this municipality's list; add it to the map first.",
    nl="Er is geen gemeenschap {value!r} in de lijst van deze gemeente; voeg die eerst toe aan de kaart.",
)
ROW_AMBIGUOUS_COMMUNITY = error_code(
    "nomination_row_ambiguous_community",
    en="{value!r} matches more than one community.",
    nl="{value!r} past bij meer dan één gemeenschap.",
)
ROW_INVALID_YES_NO = error_code(
    "nomination_row_invalid_yes_no",
    en="{value!r} is not yes or no (ja/nee).",
    nl="{value!r} is geen ja of nee.",
)
ROW_TOO_LONG = error_code(
    "nomination_row_too_long",
    en="The value is longer than {limit} characters.",
    nl="De waarde is langer dan {limit} tekens.",
)
ROW_UNSAFE_CHARACTERS = error_code(
    "nomination_row_unsafe_characters",
    en="Contains characters that are not allowed in a name: {characters}.",
    nl="Bevat tekens die niet in een naam mogen: {characters}.",
)
ROW_DUPLICATE = error_code(
    "nomination_row_duplicate",
    en="The same person as on line {line}.",
    nl="Dezelfde persoon als op regel {line}.",
)

# --- comparison ---
MATCH_INVALID = error_code(
    "nomination_match_invalid",
    en="These two key figures are not a pair from the municipality's list and the police's list.",
    nl="Deze twee sleutelfiguren zijn geen paar uit de lijst van de gemeente en die van de politie.",
)
MATCH_CONFLICT = error_code(
    "nomination_match_conflict",
    en="These key figures cannot be merged automatically: {reason}",
    nl="Deze sleutelfiguren kunnen niet automatisch worden samengevoegd: {reason}",
    status=409,
)
