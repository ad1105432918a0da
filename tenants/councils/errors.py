"""Stable error codes of the allies' council. Never rename one; add a new one instead."""

from dataclasses import dataclass
from typing import Any

from django.utils import translation

from agora.errors import error_code

COUNCIL_CROSSES_BOUNDARY = error_code(
    "council_crosses_boundary",
    en=("A council never crosses the municipal border: {what} does not belong to this municipality."),
    nl="Een overleg gaat nooit over de gemeentegrens: {what} hoort niet bij deze gemeente.",
)
COUNCIL_TOO_MANY_ALLIES = error_code(
    "council_too_many_allies",
    en="A council has at most {max_allies} allies; this would make {count}.",
    nl="Een overleg heeft hoogstens {max_allies} bondgenoten; dit zouden er {count} worden.",
)
COUNCIL_TOO_LARGE = error_code(
    "council_too_large",
    en=("A council has at most {max_size} people including the professional seats; this would make {count}."),
    nl=(
        "Een overleg telt hoogstens {max_size} mensen inclusief gemeente en politie; "
        "dit zouden er {count} worden."
    ),
)
MEMBER_NOT_ALLY = error_code(
    "member_not_ally",
    en="Only allies sit on the council; {name} has not been selected as an ally.",
    nl="Alleen bondgenoten nemen deel aan het overleg; {name} is niet als bondgenoot geselecteerd.",
)
MEMBER_ALREADY_SEATED = error_code(
    "member_already_seated",
    en="{name} is already a member of this council.",
    nl="{name} is al lid van dit overleg.",
    status=409,
)
MEMBER_NOT_SEATED = error_code(
    "member_not_seated",
    en="This person is not (or no longer) a member of this council.",
    nl="Deze persoon is geen (of niet langer) lid van dit overleg.",
    status=409,
)
LEAD_WRONG_ROLE = error_code(
    "lead_wrong_role",
    en="The {side_en} lead and deputy must be members of this municipality with the {role_en} role.",
    nl=(
        "De trekker en plaatsvervanger van {side_nl} moeten leden van deze gemeente zijn "
        "met de rol {role_nl}."
    ),
)
LEADS_NOT_DISTINCT = error_code(
    "leads_not_distinct",
    en="Lead and deputy must be different people.",
    nl="Trekker en plaatsvervanger moeten verschillende mensen zijn.",
)
SCOPE_REQUIRED = error_code(
    "scope_required",
    en="A council covers the whole municipality or at least one of its neighbourhoods.",
    nl="Een overleg beslaat de hele gemeente of ten minste één van haar wijken.",
)
ACKNOWLEDGEMENT_REQUIRED = error_code(
    "acknowledgement_required",
    en="Please read and acknowledge the warnings first: {codes}.",
    nl="Lees en bevestig eerst de waarschuwingen: {codes}.",
    status=409,
)
MEAL_REQUIRED = error_code(
    "meal_required",
    en="A council meeting is always held with a meal; say what will be eaten.",
    nl="Een bondgenotenoverleg is altijd met een maaltijd; geef aan wat er gegeten wordt.",
)
MEETING_NOT_AWARE = error_code(
    "meeting_time_invalid",
    en="The meeting needs a start time (and an end after the start).",
    nl="De bijeenkomst heeft een begintijd nodig (en een einde na het begin).",
)
MEETING_NOT_EDITABLE = error_code(
    "meeting_not_editable",
    en="Only a planned meeting can be changed; this one is {status}.",
    nl="Alleen een geplande bijeenkomst kan worden gewijzigd; deze is {status}.",
    status=409,
)
MEETING_IN_FUTURE = error_code(
    "meeting_in_future",
    en="A meeting can be marked as held only once it has started.",
    nl="Een bijeenkomst kan pas als gehouden worden gemarkeerd als ze begonnen is.",
    status=409,
)
ATTENDEE_NOT_IN_COUNCIL = error_code(
    "attendee_not_in_council",
    en="Attendance can only be recorded for this council's members, leads and deputies.",
    nl="Aanwezigheid kan alleen worden bijgehouden voor leden, trekkers en plaatsvervangers van dit overleg.",
)
RELATIONSHIP_PHASE = error_code(
    "relationship_phase",
    en=(
        "The first {required} meetings are for building the relationship; local problems come "
        "after that ({held} held so far). Both leads can override this."
    ),
    nl=(
        "De eerste {required} bijeenkomsten zijn om de relatie op te bouwen; lokale problemen komen "
        "daarna ({held} gehouden tot nu toe). Beide trekkers kunnen hiervan afwijken."
    ),
)
INTERNATIONAL_TOPIC = error_code(
    "international_topic",
    en=(
        "International topics stay off the agenda: they divide the council and are beyond local "
        "influence, while the council exists to keep the focus on what members can change here "
        "together. Both leads can override this."
    ),
    nl=(
        "Internationale onderwerpen blijven buiten de agenda: ze verdelen het overleg en liggen "
        "buiten lokale invloed, terwijl het overleg er is om de aandacht te houden bij wat de leden "
        "hier samen kunnen veranderen. Beide trekkers kunnen hiervan afwijken."
    ),
)
OVERRIDE_NOT_A_LEAD = error_code(
    "override_not_a_lead",
    en="Only this council's leads or their deputies can approve an override.",
    nl="Alleen de trekkers van dit overleg of hun plaatsvervangers kunnen een afwijking goedkeuren.",
    status=403,
)
OVERRIDE_ALREADY_APPROVED = error_code(
    "override_already_approved",
    en="The {side_en} side has already approved this override; the other side must approve too.",
    nl="De {side_nl} heeft deze afwijking al goedgekeurd; de andere kant moet ook akkoord geven.",
    status=409,
)
OVERRIDE_NOT_PENDING = error_code(
    "override_not_pending",
    en="This agenda item is not waiting for an override.",
    nl="Dit agendapunt wacht niet op een afwijking.",
    status=409,
)
OVERRIDE_REASON_REQUIRED = error_code(
    "override_reason_required",
    en="Say why this item should be discussed despite the rule.",
    nl="Geef aan waarom dit punt ondanks de regel besproken moet worden.",
)
RULES_INVALID = error_code(
    "council_rules_invalid",
    en="These council rules do not add up: {reason_en}",
    nl="Deze overlegregels kloppen niet: {reason_nl}",
)
DATE_OUT_OF_RANGE = error_code(
    "date_out_of_range",
    en="{field_en} must lie between {earliest} and {latest}.",
    nl="{field_nl} moet tussen {earliest} en {latest} liggen.",
)
MEETING_BEFORE_START = error_code(
    "meeting_before_council_start",
    en="A meeting cannot start before the council started ({started_on}).",
    nl="Een bijeenkomst kan niet beginnen voordat het overleg is gestart ({started_on}).",
)
MEETING_WITHOUT_ATTENDANCE = error_code(
    "meeting_without_attendance",
    en=("Record who was there first: a meeting counts as held only when at least one ally attended."),
    nl=(
        "Houd eerst de aanwezigheid bij: een bijeenkomst telt pas als gehouden als er ten minste "
        "één bondgenoot aanwezig was."
    ),
    status=409,
)

LEAD_WITHOUT_MOBILE = error_code(
    "lead_without_mobile",
    en=(
        "{name} has no mobile number for this municipality yet. Leads and deputies must be "
        "reachable for the allies at all times: set the number on their membership first."
    ),
    nl=(
        "{name} heeft nog geen mobiel nummer voor deze gemeente. Trekkers en plaatsvervangers moeten "
        "altijd bereikbaar zijn voor de bondgenoten: zet eerst het nummer op hun lidmaatschap."
    ),
)
NO_DEPUTY_TO_TAKE_OVER = error_code(
    "no_deputy_to_take_over",
    en=(
        "The {side_en} lead can only step down to a deputy, and this council has none on that side. "
        "Name a new lead instead."
    ),
    nl=(
        "De trekker van {side_nl} kan alleen aftreden ten gunste van een plaatsvervanger, en dit overleg "
        "heeft er aan die kant geen. Wijs in plaats daarvan een nieuwe trekker aan."
    ),
    status=409,
)
HANDOVER_SIDE_INVALID = error_code(
    "handover_side_invalid",
    en='The side is "municipal" or "police".',
    nl='De kant is "municipal" (gemeente) of "police" (politie).',
)


# --- warnings: the method's advice, returned with a successful response, not raised ---


@dataclass(frozen=True)
class WarningSpec:
    """A warning with a stable code. ``needs_acknowledgement``: the change waits for an explicit yes."""

    code: str
    en: str
    nl: str
    needs_acknowledgement: bool = False

    def render(self, **params: Any) -> dict[str, Any]:
        """Plain data for the response: code, message in the active language, parameters."""
        language = (translation.get_language() or "nl")[:2]
        template = self.en if language == "en" else self.nl
        return {
            "code": self.code,
            "detail": template.format(**params),
            "needs_acknowledgement": self.needs_acknowledgement,
            "params": params,
        }


MUNICIPAL_MEMBER_IS_ADMINISTRATOR = WarningSpec(
    "municipal_member_is_administrator",
    en=(
        "{name} is {title}. The method advises against a mayor or alderman as the municipal member: "
        "allies should be able to speak freely with a civil servant, not with an administrator."
    ),
    nl=(
        "{name} is {title}. De methode raadt een burgemeester of wethouder als gemeentelijk lid af: "
        "bondgenoten moeten vrijuit kunnen praten met een ambtenaar, niet met een bestuurder."
    ),
    needs_acknowledgement=True,
)
BELOW_RECOMMENDED_START = WarningSpec(
    "council_below_recommended_start",
    en="The council has {count} allies; the method recommends starting with {min} to {max}.",
    nl="Het overleg heeft {count} bondgenoten; de methode raadt aan te beginnen met {min} tot {max}.",
)
MEMBER_OUTSIDE_SCOPE = WarningSpec(
    "member_outside_scope",
    en=("{name} does not live in one of this council's neighbourhoods; allies live in the area they serve."),
    nl=(
        "{name} woont niet in een van de wijken van dit overleg; "
        "bondgenoten wonen in het gebied dat ze dienen."
    ),
)
