"""Stable error codes of the selection pipeline (public contract: add codes, never rename).

409: the request conflicts with the case or the key figure as they are now (state, flags,
earlier approvals). 400: the input itself is incomplete or invalid. 403: the acting person is
not an official or police officer of this municipality.
"""

from agora.errors import error_code

PROFESSIONAL_REPRESENTATIVE = error_code(
    "professional_representative",
    en=(
        "A representative of a professional organisation (community worker, welfare organisation) "
        "cannot become an ally: choose the person, not the function."
    ),
    nl=(
        "Een vertegenwoordiger van een professionele organisatie (opbouwwerker, welzijnsorganisatie) "
        "kan geen bondgenoot worden: kies de persoon, niet de functie."
    ),
    status=409,
)
LIVES_OUTSIDE_MUNICIPALITY = error_code(
    "ally_lives_outside_municipality",
    en=(
        "This key figure lives outside {municipality} ({residence}). An ally lives in the area they "
        "serve, and an allies' council never crosses the municipal boundary."
    ),
    nl=(
        "Deze sleutelfiguur woont buiten {municipality} ({residence}). Een bondgenoot woont in het "
        "gebied waarvoor hij of zij zich inzet, en een bondgenotenoverleg gaat nooit over de "
        "gemeentegrens heen."
    ),
    status=409,
)
NOT_MUNICIPAL_STAFF = error_code(
    "not_municipal_staff",
    en="Only officials and police officers of this municipality can review and decide on allies.",
    nl="Alleen ambtenaren en politiemedewerkers van deze gemeente kunnen bondgenoten beoordelen.",
    status=403,
)
CASE_ALREADY_OPEN = error_code(
    "selection_case_already_open",
    en="This key figure already has an open selection case (#{case_id}).",
    nl="Deze sleutelfiguur heeft al een lopend selectietraject (#{case_id}).",
    status=409,
)
ALREADY_APPROVED = error_code(
    "already_approved",
    en="You have already approved this key figure; four eyes means two different people.",
    nl="U heeft deze sleutelfiguur al goedgekeurd; vier ogen betekent twee verschillende mensen.",
    status=409,
)
SIDE_ALREADY_APPROVED = error_code(
    "side_already_approved",
    en=(
        "The '{side}' side has already approved. The review needs a yes from the municipality AND "
        "from the police; a second yes from the same side does not replace the other side."
    ),
    nl=(
        "De kant '{side}' heeft al goedgekeurd. De beoordeling vraagt een ja van de gemeente ÉN van "
        "de politie; een tweede ja van dezelfde kant vervangt de andere kant niet."
    ),
    status=409,
)
HOME_VISIT_NOT_RECORDED = error_code(
    "home_visit_not_recorded",
    en="Record the home visit before deciding that this key figure becomes an ally.",
    nl="Leg eerst het huisbezoek vast voordat u besluit dat deze sleutelfiguur bondgenoot wordt.",
    status=409,
)
HOME_VISIT_ALREADY_RECORDED = error_code(
    "home_visit_already_recorded",
    en="The home visit of this case has already been recorded.",
    nl="Het huisbezoek van dit traject is al vastgelegd.",
    status=409,
)
ASSESSMENT_FAILED = error_code(
    "assessment_failed",
    en="The home visit answered 'no' to: {questions}. Such a key figure cannot become an ally.",
    nl="Bij het huisbezoek was het antwoord 'nee' op: {questions}. Zo iemand kan geen bondgenoot worden.",
    status=409,
)
REASON_REQUIRED = error_code(
    "reason_required",
    en="Give a reason; the reasons for every decision are kept.",
    nl="Geef een reden op; de redenen van elk besluit worden bewaard.",
)
ASSESSMENT_INCOMPLETE = error_code(
    "assessment_incomplete",
    en="Answer all four assessment questions with yes, no or doubt.",
    nl="Beantwoord alle vier de toetsvragen met ja, nee of twijfel.",
)
INVALID_VISITORS = error_code(
    "invalid_home_visitors",
    en=(
        "The home visit needs at least one visitor, each an official or police officer of this municipality."
    ),
    nl=(
        "Het huisbezoek vraagt minstens één bezoeker, elk een ambtenaar of politiemedewerker van "
        "deze gemeente."
    ),
)
VISIT_DATE_IN_FUTURE = error_code(
    "home_visit_in_future",
    en="A home visit is recorded after it took place; the date lies in the future.",
    nl="Een huisbezoek wordt vastgelegd nadat het heeft plaatsgevonden; de datum ligt in de toekomst.",
)
INVALID_OUTCOME = error_code(
    "invalid_outcome",
    en="The decision is either 'ally' or 'not_suitable'.",
    nl="Het besluit is 'ally' (bondgenoot) of 'not_suitable' (niet geschikt).",
)
