"""Stable error codes of municipality provisioning."""

from agora.errors import error_code

MUNICIPALITY_NAME_UNUSABLE = error_code(
    "municipality_name_unusable",
    en="The name {name!r} gives no usable address; use letters or digits.",
    nl="De naam {name!r} levert geen bruikbaar adres op; gebruik letters of cijfers.",
)
MUNICIPALITY_NAME_TAKEN = error_code(
    "municipality_name_taken",
    en="The address {slug!r} is already used by {other}; choose another slug.",
    nl="Het adres {slug!r} is al in gebruik door {other}; kies een andere slug.",
    status=409,
)
MUNICIPALITY_CODE_TAKEN = error_code(
    "municipality_code_taken",
    en="CBS code {code} already belongs to {other}.",
    nl="CBS-code {code} hoort al bij {other}.",
    status=409,
)
MUNICIPALITY_CODE_INVALID = error_code(
    "municipality_code_invalid",
    en="A CBS municipality code is GM and four digits (not 0000), e.g. GM0344; not {code!r}.",
    nl="Een CBS-gemeentecode is GM en vier cijfers (niet 0000), bijvoorbeeld GM0344; niet {code!r}.",
)
MUNICIPALITY_NAME_TOO_LONG = error_code(
    "municipality_name_too_long",
    en="A municipality's name has at most {limit} characters.",
    nl="De naam van een gemeente heeft hoogstens {limit} tekens.",
)
MUNICIPALITY_NAME_EXISTS = error_code(
    "municipality_name_exists",
    en="A municipality named {name!r} already exists ({other}).",
    nl="Er bestaat al een gemeente met de naam {name!r} ({other}).",
    status=409,
)
MUNICIPALITY_SLUG_RESERVED = error_code(
    "municipality_slug_reserved",
    en="{slug!r} is reserved for the platform itself; choose another slug.",
    nl="{slug!r} is gereserveerd voor het platform zelf; kies een andere slug.",
)
INVITATION_EMAIL_INVALID = error_code(
    "invitation_email_invalid",
    en="{email!r} is not an e-mail address.",
    nl="{email!r} is geen e-mailadres.",
)
INVITATION_ROLE_TAKEN = error_code(
    "invitation_role_taken",
    en="This person is already a member of this municipality with another role ({role}).",
    nl="Deze persoon is al lid van deze gemeente met een andere rol ({role}).",
    status=409,
)
INVITATION_INVALID = error_code(
    "invitation_invalid",
    en="This link is invalid, already used or expired. Ask the platform operator for a new one.",
    nl="Deze link is ongeldig, al gebruikt of verlopen. Vraag de beheerder om een nieuwe.",
    status=404,
)

# Tenant lifecycle (docs/adr/0020-tenant-lifecycle.md): backup, restore, offboarding.
MUNICIPALITY_UNKNOWN = error_code(
    "municipality_unknown",
    en="There is no municipality with the slug {slug!r}.",
    nl="Er is geen gemeente met de slug {slug!r}.",
    status=404,
)
LIFECYCLE_TOOL_FAILED = error_code(
    "lifecycle_tool_failed",
    en="{tool} failed: {reason}",
    nl="{tool} is mislukt: {reason}",
)
BACKUP_UNREADABLE = error_code(
    "backup_unreadable",
    en="The backup {path} cannot be used: {reason}.",
    nl="De back-up {path} is niet bruikbaar: {reason}.",
)
BACKUP_NEWER_THAN_CODE = error_code(
    "backup_newer_than_code",
    en="The backup has migrations this version does not know ({migrations}); upgrade Agora first.",
    nl="De back-up heeft migraties die deze versie niet kent ({migrations}); werk Agora eerst bij.",
)
RESTORE_TARGET_EXISTS = error_code(
    "restore_target_exists",
    en="A restore never overwrites: {slug!r} already exists ({other}). Choose a new slug.",
    nl="Terugzetten overschrijft nooit: {slug!r} bestaat al ({other}). Kies een nieuwe slug.",
    status=409,
)
RESTORE_REFERENCE_MISSING = error_code(
    "restore_reference_missing",
    en="The backup refers to {count} memberships whose users no longer exist ({column}).",
    nl="De back-up verwijst naar {count} lidmaatschappen van gebruikers die niet meer bestaan ({column}).",
    status=409,
)
OFFBOARD_NOT_CONFIRMED = error_code(
    "offboard_not_confirmed",
    en="Offboarding removes {slug!r} for good; repeat its slug with --confirm {slug} to go ahead.",
    nl="Offboarden verwijdert {slug!r} definitief; herhaal de slug met --confirm {slug} om door te gaan.",
)
