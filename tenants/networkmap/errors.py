"""Stable error codes of the network map."""

from agora.errors import error_code

INVALID_PHONE = error_code(
    "invalid_phone",
    en="{raw!r} is not a valid phone number.",
    nl="{raw!r} is geen geldig telefoonnummer.",
)
MEMBERSHIP_OUTSIDE_MUNICIPALITY = error_code(
    "membership_outside_municipality",
    en="This person is not a member of this municipality.",
    nl="Deze persoon is geen lid van deze gemeente.",
)
MEMBERSHIP_WRONG_ROLE = error_code(
    "membership_wrong_role",
    en="This member does not have the required role ({role}).",
    nl="Dit lid heeft niet de vereiste rol ({role}).",
)
MEMBERSHIP_INACTIVE = error_code(
    "membership_inactive",
    en="This membership is no longer active.",
    nl="Dit lidmaatschap is niet meer actief.",
)
INVALID_CBS_CODE = error_code(
    "invalid_cbs_code",
    en="{raw!r} is not a CBS code of the form {form}.",
    nl="{raw!r} is geen CBS-code van de vorm {form}.",
)
RESIDENCE_CONFLICT = error_code(
    "residence_conflict",
    en="Someone who lives in another municipality cannot have a neighbourhood of residence here.",
    nl="Iemand die in een andere gemeente woont, kan hier geen woonwijk hebben.",
)
NAME_REQUIRED = error_code(
    "name_required",
    en="A first name and a last name are required.",
    nl="Een voornaam en een achternaam zijn verplicht.",
)
INVALID_EMAIL = error_code(
    "invalid_email",
    en="{raw!r} is not a valid e-mail address.",
    nl="{raw!r} is geen geldig e-mailadres.",
)
ALLY_STATUS_READ_ONLY = error_code(
    "ally_status_read_only",
    en="Ally status is decided by the selection procedure only.",
    nl="De status bondgenoot wordt alleen via de selectieprocedure bepaald.",
)
UNKNOWN_FIELD = error_code(
    "unknown_field",
    en="These fields cannot be set here: {names}.",
    nl="Deze velden kunnen hier niet worden gezet: {names}.",
)
CONTACT_IN_FUTURE = error_code(
    "contact_in_future",
    en="A contact moment cannot lie in the future.",
    nl="Een contactmoment kan niet in de toekomst liggen.",
)
FOLLOW_UP_BEFORE_CONTACT = error_code(
    "follow_up_before_contact",
    en="A follow-up cannot be due before the contact it follows.",
    nl="Een vervolgafspraak kan niet vóór het contact liggen waar ze op volgt.",
)
IN_USE = error_code(
    "networkmap_in_use",
    en="This {what} is still in use and cannot be deleted.",
    nl="Deze {wat} is nog in gebruik en kan niet worden verwijderd.",
    status=409,
)
DUPLICATE_NAME = error_code(
    "networkmap_duplicate_name",
    en="There is already a {what} with this name.",
    nl="Er bestaat al een {wat} met deze naam.",
    status=409,
)
INVALID_STALE_MONTHS = error_code(
    "invalid_stale_after_months",
    en="stale_after_months must be a whole number from 1 to 120.",
    nl="stale_after_months moet een geheel getal van 1 tot en met 120 zijn.",
)
INVALID_CONTACT_KIND = error_code(
    "invalid_contact_kind",
    en="{kind!r} is not a kind of contact moment.",
    nl="{kind!r} is geen soort contactmoment.",
)
INVALID_COMMUNITY_KIND = error_code(
    "invalid_community_kind",
    en="{kind!r} is not a kind of community (religious, origin or group).",
    nl="{kind!r} is geen soort gemeenschap (religious, origin of group).",
)
USER_NOT_ALLY_MEMBER = error_code(
    "user_not_ally_member",
    en="This login is not an active ally of this municipality.",
    nl="Deze login is geen actieve bondgenoot van deze gemeente.",
)
USER_ALREADY_LINKED = error_code(
    "user_already_linked",
    en="This login is already linked to another key figure (#{key_figure_id}) in this municipality.",
    nl="Deze login is al gekoppeld aan een andere sleutelfiguur (#{key_figure_id}) in deze gemeente.",
    status=409,
)
KEY_FIGURE_NOT_ALLY = error_code(
    "key_figure_not_ally",
    en="Only an ally's record can be linked to a login; this key figure is not an ally.",
    nl=(
        "Alleen het dossier van een bondgenoot kan aan een login worden gekoppeld; "
        "deze sleutelfiguur is geen bondgenoot."
    ),
    status=409,
)
SUBJECT_ACCESS_OFFICIALS_ONLY = error_code(
    "subject_access_officials_only",
    en="Only an official of this municipality may export or erase a person's data.",
    nl="Alleen een ambtenaar van deze gemeente mag de gegevens van een persoon exporteren of wissen.",
    status=403,
)
