"""The selection API documents itself cleanly; the admin shows cases but changes nothing."""

from __future__ import annotations

import json

from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_spec_validator import validate
from rest_framework.routers import SimpleRouter

from api.selection.serializers import HomeVisitInputSerializer
from api.selection.views import SelectionCaseViewSet
from tenants.selection.models import ASSESSMENT_QUESTIONS, SelectionCase
from tenants.selection.workflow import CaseState

STEPS = ("start-review", "approve", "reject", "record-home-visit", "decide", "step-down", "reactivate")


def _selection_schema() -> dict:
    router = SimpleRouter()
    router.register("selection-cases", SelectionCaseViewSet, basename="selection-case")
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))])
    schema = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def test_schema_is_clean_and_valid():
    document = _selection_schema()
    assert not GENERATOR_STATS, "drf-spectacular warned or erred on the selection API"
    validate(document)
    paths = document["paths"]
    assert set(paths["/api/v1/selection-cases/"]) >= {"get", "post"}
    for step in STEPS:
        operation = paths[f"/api/v1/selection-cases/{{id}}/{step}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"]), step
        assert operation["requestBody"], step
    parameters = {p["name"] for p in paths["/api/v1/selection-cases/"]["get"]["parameters"]}
    assert {"state", "key_figure", "page"} <= parameters
    assert "SelectionError" in document["components"]["schemas"]


def test_home_visit_input_asks_the_four_questions():
    assert set(ASSESSMENT_QUESTIONS) <= set(HomeVisitInputSerializer().fields)


def test_admin_lists_and_shows_cases_read_only(pipeline, web):
    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True)
    client = web(pipeline.official)
    listing = client.get("/admin/selection/selectioncase/")
    assert listing.status_code == 200
    assert case.key_figure.last_name in listing.content.decode()
    page = client.get(f"/admin/selection/selectioncase/{case.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "huisbezoek" in html  # the state's Dutch label
    assert "notes on inclusive" in html  # the home visit inline
    assert pipeline.official.username in html  # the approvals and the history
    assert 'name="_save"' not in html  # nothing to save: read-only
    assert client.get("/admin/selection/selectioncase/add/").status_code == 403
    response = client.post(f"/admin/selection/selectioncase/{case.pk}/change/", {"state": "ally"})
    assert response.status_code == 403
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.HOME_VISIT
    assert client.get("/admin/selection/transition/").status_code == 200


def test_admin_is_closed_to_allies(pipeline, web, people):
    assert web(people.ally("utrecht")).get("/admin/selection/selectioncase/").status_code in (302, 403)


def test_admin_lists_and_history_log_the_person_reads(pipeline, web, utrecht):
    from agora.audit.models import PersonRecordRead

    first = pipeline.case_at(CaseState.JOINT_REVIEW)
    second = pipeline.case_at(CaseState.NOMINATED)
    client = web(pipeline.official)

    def reads_by(request) -> list[str]:
        """The key figures whose reads this request logged (the audit trail is append-only)."""
        before = PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(request)
        assert response.status_code == 200
        assert first.key_figure.first_name in response.content.decode()
        return sorted(
            PersonRecordRead.objects.filter(
                pk__gt=before,
                municipality=utrecht,
                actor=pipeline.official,
                record_type="networkmap.KeyFigure",
            ).values_list("record_id", flat=True)
        )

    both = sorted([str(first.key_figure_id), str(second.key_figure_id)])
    assert reads_by("/admin/selection/selectioncase/") == both
    # Two history rows for the first case, one for the second: one read per person shown.
    assert reads_by("/admin/selection/transition/") == both
    transition = first.transitions.order_by("pk").last()
    assert reads_by(f"/admin/selection/transition/{transition.pk}/change/") == [str(first.key_figure_id)]


def test_the_case_change_view_logs_a_read_of_exactly_the_person_shown(pipeline, web, utrecht):
    """Opening one case in the admin reads that key figure's record, and no other person's."""
    from agora.audit.models import PersonRecordRead

    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True)
    other = pipeline.case_at(CaseState.NOMINATED)
    client = web(pipeline.official)
    before = PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page = client.get(f"/admin/selection/selectioncase/{case.pk}/change/")
    assert page.status_code == 200
    assert case.key_figure.first_name in page.content.decode()
    reads = PersonRecordRead.objects.filter(pk__gt=before)
    assert list(reads.values_list("record_type", "record_id", "actor_id", "municipality_id")) == [
        ("networkmap.KeyFigure", str(case.key_figure_id), pipeline.official.pk, utrecht.pk)
    ]
    assert str(other.key_figure_id) not in set(reads.values_list("record_id", flat=True))
