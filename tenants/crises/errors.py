"""Stable error codes of the crisis room (a public contract: the API and the socket return them).

The socket sends the same codes in ``{"type": "error", "code": ...}`` frames, plus the frame-level
codes of ``realtime.crisis`` (``not_json``, ``bad_frame``, ``too_large``, ``rate_limited``, ...).
"""

from agora.errors import error_code

CRISIS_COUNCILS_REQUIRED = error_code(
    "crisis_councils_required",
    en="Name at least one council to convene.",
    nl="Geef ten minste één overleg op om bijeen te roepen.",
)
CRISIS_COUNCIL_OUTSIDE_MUNICIPALITY = error_code(
    "crisis_council_outside_municipality",
    en="This council is not one of this municipality's councils.",
    nl="Dit overleg hoort niet bij deze gemeente.",
)
CRISIS_NEIGHBOURHOOD_OUTSIDE_MUNICIPALITY = error_code(
    "crisis_neighbourhood_outside_municipality",
    en="This neighbourhood is not part of this municipality.",
    nl="Deze wijk hoort niet bij deze gemeente.",
)
CRISIS_CLOSED = error_code(
    "crisis_closed",
    en="This crisis is closed; its room is frozen.",
    nl="Deze crisis is gesloten; de ruimte is bevroren.",
    status=409,
)
CRISIS_IS_DRILL = error_code(
    "crisis_is_drill",
    en="A drill has no room: only the roll-call can be answered.",
    nl="Een oefenalarm heeft geen ruimte: alleen de oproep kan worden beantwoord.",
    status=409,
)
CRISIS_NOT_CONVENED = error_code(
    "crisis_not_convened",
    en="You were not called for this crisis.",
    nl="U bent niet opgeroepen voor deze crisis.",
    status=403,
)
CRISIS_ANSWER_INVALID = error_code(
    "crisis_answer_invalid",
    en="Answer coming, remote or unable.",
    nl="Antwoord met ik kom (coming), op afstand (remote) of kan niet (unable).",
)
CRISIS_ETA_INVALID = error_code(
    "crisis_eta_invalid",
    en="The expected time of arrival is a number of minutes between 0 and 1440.",
    nl="De verwachte aankomsttijd is een aantal minuten tussen 0 en 1440.",
)
CRISIS_BODY_INVALID = error_code(
    "crisis_body_invalid",
    en="A message has a text of at most 4000 characters.",
    nl="Een bericht heeft een tekst van hoogstens 4000 tekens.",
)
CRISIS_CLIENT_MSG_ID_INVALID = error_code(
    "crisis_client_msg_id_invalid",
    en="client_msg_id must be a UUID.",
    nl="client_msg_id moet een UUID zijn.",
)
CRISIS_ENTRY_KIND_INVALID = error_code(
    "crisis_entry_kind_invalid",
    en="A log entry is a message, a decision or a task.",
    nl="Een logregel is een bericht, een besluit of een taak.",
)
CRISIS_TASK_OWNER_INVALID = error_code(
    "crisis_task_owner_invalid",
    en="A task's owner is one of the people in this room.",
    nl="De eigenaar van een taak is iemand uit deze ruimte.",
)
CRISIS_NOT_AN_ALLY = error_code(
    "crisis_not_an_ally",
    en="Only a convened ally can be contacted from the room.",
    nl="Alleen een opgeroepen bondgenoot kan vanuit de ruimte worden benaderd.",
)
CRISIS_TITLE_REQUIRED = error_code(
    "crisis_title_required",
    en="A crisis has a title of at most 200 characters.",
    nl="Een crisis heeft een titel van hoogstens 200 tekens.",
)
CRISIS_KIND_INVALID = error_code(
    "crisis_kind_invalid",
    en="The kind is incident, unrest or planned_action.",
    nl="Het soort is incident, unrest (onrust) of planned_action (geplande actie).",
)
CRISIS_SETTING_INVALID = error_code(
    "crisis_setting_invalid",
    en="{name} is a whole number between {low} and {high}.",
    nl="{name} is een geheel getal tussen {low} en {high}.",
)
