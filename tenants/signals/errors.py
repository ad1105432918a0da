"""Stable error codes of signals and planned-intervention notices.

The codes are a public contract (the API returns them); never rename one, add a new one.
Boundary codes say ``outside_municipality``: an id that does not exist in this municipality's
schema is, from here, someone else's record, and the method forbids crossing that boundary.
"""

from agora.errors import error_code

# --- signals ---
SIGNAL_ALLY_OUTSIDE_MUNICIPALITY = error_code(
    "signal_ally_outside_municipality",
    en="This ally is not part of this municipality; signals cannot cross the municipal boundary.",
    nl="Deze bondgenoot hoort niet bij deze gemeente; signalen gaan niet over de gemeentegrens.",
)
SIGNAL_NOT_AN_ALLY = error_code(
    "signal_not_an_ally",
    en="Signals are raised by or for allies; this key figure is not an ally.",
    nl="Signalen komen van of namens bondgenoten; dit sleutelfiguur is geen bondgenoot.",
)
SIGNAL_ALLY_REQUIRED = error_code(
    "signal_ally_required",
    en="Say for which ally this signal is raised.",
    nl="Geef aan namens welke bondgenoot dit signaal wordt gemeld.",
)
SIGNAL_OWN_ONLY = error_code(
    "signal_own_only",
    en="An ally raises signals for themselves only.",
    nl="Een bondgenoot meldt alleen eigen signalen.",
    status=403,
)
SIGNAL_NO_ALLY_RECORD = error_code(
    "signal_no_ally_record",
    en="Your login is not linked to an ally of this municipality.",
    nl="Uw account is niet gekoppeld aan een bondgenoot van deze gemeente.",
    status=403,
)
SIGNAL_NEIGHBOURHOOD_OUTSIDE_MUNICIPALITY = error_code(
    "signal_neighbourhood_outside_municipality",
    en="This neighbourhood is not part of this municipality.",
    nl="Deze wijk hoort niet bij deze gemeente.",
)
SIGNAL_OWNER_OUTSIDE_MUNICIPALITY = error_code(
    "signal_owner_outside_municipality",
    en="The owner must be an active member of this municipality; owners cannot cross the boundary.",
    nl="De eigenaar moet actief lid zijn van deze gemeente; eigenaarschap gaat niet over de grens.",
)
SIGNAL_OWNER_NOT_STAFF = error_code(
    "signal_owner_not_staff",
    en="The owner must be a municipal official or a police officer.",
    nl="De eigenaar moet een gemeenteambtenaar of politiemedewerker zijn.",
)
SIGNAL_REOPEN_BY_ALLY_ONLY = error_code(
    "signal_reopen_by_ally_only",
    en="Only the ally who raised the signal can reopen it.",
    nl="Alleen de bondgenoot van het signaal kan het heropenen.",
    status=403,
)
SIGNAL_STAFF_ONLY = error_code(
    "signal_staff_only",
    en="Only municipal officials and police officers of this municipality can do this.",
    nl="Alleen gemeenteambtenaren en politiemedewerkers van deze gemeente kunnen dit.",
    status=403,
)

# --- planned-intervention notices ---
NOTICE_PLANNED_START_IN_PAST = error_code(
    "notice_planned_start_in_past",
    en="A notice informs allies beforehand; its planned start cannot be in the past.",
    nl="Een melding informeert bondgenoten vooraf; de geplande start kan niet in het verleden liggen.",
)
NOTICE_WITHOUT_RECIPIENTS = error_code(
    "notice_without_recipients",
    en="Address the notice to a council or to at least one ally.",
    nl="Richt de melding aan een overleg of aan ten minste één bondgenoot.",
)
NOTICE_RECIPIENT_OUTSIDE_MUNICIPALITY = error_code(
    "notice_recipient_outside_municipality",
    en="Recipients {ids} are not part of this municipality; notices cannot cross the municipal boundary.",
    nl="Ontvangers {ids} horen niet bij deze gemeente; meldingen gaan niet over de gemeentegrens.",
)
NOTICE_COUNCIL_OUTSIDE_MUNICIPALITY = error_code(
    "notice_council_outside_municipality",
    en="This council is not part of this municipality; notices cannot cross the municipal boundary.",
    nl="Dit overleg hoort niet bij deze gemeente; meldingen gaan niet over de gemeentegrens.",
)
NOTICE_RECIPIENT_NOT_AN_ALLY = error_code(
    "notice_recipient_not_an_ally",
    en="Notices go to allies only; {ids} are not allies.",
    nl="Meldingen gaan alleen naar bondgenoten; {ids} zijn geen bondgenoot.",
)
NOTICE_READ_BY_RECIPIENT_ONLY = error_code(
    "notice_read_by_recipient_only",
    en="Only an ally to whom the notice is addressed can confirm reading it.",
    nl="Alleen een bondgenoot aan wie de melding is gericht kan het lezen bevestigen.",
    status=403,
)
NOTICE_STAFF_ONLY = error_code(
    "notice_staff_only",
    en="Only municipal officials and police officers of this municipality can publish notices.",
    nl="Alleen gemeenteambtenaren en politiemedewerkers van deze gemeente kunnen meldingen doen.",
    status=403,
)
