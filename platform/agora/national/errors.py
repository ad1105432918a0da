"""Error codes of the national view's grants (see agora.errors: codes are a public contract)."""

from agora.errors import error_code

NATIONAL_GRANT_OPERATOR_ONLY = error_code(
    "national_grant_operator_only",
    en="Only a platform operator grants access to the national view.",
    nl="Alleen een platformbeheerder geeft toegang tot het landelijk beeld.",
    status=403,
)
NATIONAL_GRANT_NOT_ANALYST = error_code(
    "national_grant_not_analyst",
    en="{user} is not a national police analyst.",
    nl="{user} is geen landelijk analist van de politie.",
)
NATIONAL_GRANT_SCOPE = error_code(
    "national_grant_scope",
    en="A grant covers either one police district or one whole unit.",
    nl="Een toegang geldt voor één politiedistrict of voor één hele eenheid.",
)
NATIONAL_GRANT_PERIOD = error_code(
    "national_grant_period",
    en="A grant must end after it starts.",
    nl="Een toegang moet eindigen na het begin.",
)
NATIONAL_GRANT_PURPOSE = error_code(
    "national_grant_purpose",
    en="Say what the access is for.",
    nl="Geef aan waarvoor de toegang nodig is.",
)
NATIONAL_GRANT_LEVEL = error_code(
    "national_grant_level",
    en="The level is summary or contacts.",
    nl="Het niveau is summary (alleen aantallen) of contacts (ook namen en nummers).",
)
NATIONAL_GRANT_REVOKED = error_code(
    "national_grant_revoked",
    en="This grant was revoked already.",
    nl="Deze toegang is al ingetrokken.",
    status=409,
)
