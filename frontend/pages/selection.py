"""Key figures and the selection pipeline: both lists side by side, the comparison, imports with a
dry-run preview, and each case's steps (four-eyes review, home visit with its four questions,
decision). Which steps a case offers comes from the workflow table, never from the template."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.actors import active_members
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import log_person_reads
from frontend.pages.base import run_action, staff_page
from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists, key_figures_in
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.merging import do_confirm_match, do_reject_match
from tenants.nominations.models import ImportRun, Source
from tenants.selection import actions
from tenants.selection.access import access_case_by_id, cases_visible_to, log_case_list_read
from tenants.selection.models import ASSESSMENT_QUESTIONS, Answer
from tenants.selection.workflow import SELECTION_WORKFLOW, CaseState

PURPOSE = "selection page"


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Whose list"), choices=Source.choices)
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Preview only (write nothing)"), required=False, initial=True
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class HomeVisitForm(forms.Form):
    visited_on = forms.DateField(
        label=gettext_lazy("Date of the visit"), widget=forms.DateInput(attrs={"type": "date"})
    )
    visitors = forms.ModelMultipleChoiceField(label=gettext_lazy("Visitors"), queryset=None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = active_members(STAFF_ROLES)
        self.fields["visitors"].label_from_instance = lambda m: f"{m.user.display_name} ({m.label})"
        for question, label in ASSESSMENT_QUESTIONS.items():
            self.fields[f"{question}_answer"] = forms.ChoiceField(
                label=label, choices=Answer.choices, widget=forms.RadioSelect
            )
            self.fields[f"{question}_notes"] = forms.CharField(
                label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def answers(self) -> dict[str, actions.AssessmentAnswer]:
        data = self.cleaned_data
        return {
            question: actions.AssessmentAnswer(
                answer=data[f"{question}_answer"], notes=data[f"{question}_notes"]
            )
            for question in ASSESSMENT_QUESTIONS
        }


class DecideForm(ReasonForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (CaseState.ALLY.value, CaseState.ALLY.label),
            (CaseState.NOT_SUITABLE.value, CaseState.NOT_SUITABLE.label),
        ],
        widget=forms.RadioSelect,
    )
    field_order = ["outcome", "reason"]


@staff_page
def selection(request: HttpRequest) -> HttpResponse:
    """Both lists side by side with the comparison, the import form, and the open cases."""
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("do") == "import" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = run_action(
            request,
            lambda: do_import_nominations(
                upload,
                filename=upload.name,
                source=form.cleaned_data["source"],
                acting_user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            ),
        )
    elif request.method == "POST" and request.POST.get("do") in ("confirm", "reject", "open"):
        return _match_or_open(request)
    comparison = compare_lists()
    log_person_reads(
        actor=request.user,
        objs=list(KeyFigure.objects.filter(pk__in=key_figures_in(comparison))),
        purpose="nominations: comparison of the lists",
    )
    cases = list(cases_visible_to(request.user).order_by("state", "key_figure__last_name"))
    log_case_list_read(request.user, cases)
    with_case = {case.key_figure_id for case in cases if case.state != CaseState.NOT_SUITABLE}
    return render(
        request,
        "pages/selection.html",
        {
            "nav": "selection",
            "comparison": comparison,
            "form": form if report is None else ImportForm(),
            "report": report,
            "cases": cases,
            "without_case": [p for p in comparison["both"] if p["key_figure_id"] not in with_case],
            # The last imports with their counts (no one named): what was read, and whether it finished.
            "imports": list(
                ImportRun.objects.select_related("imported_by").order_by("-started_at", "-pk")[:10]
            ),
        },
    )


def _match_or_open(request: HttpRequest) -> HttpResponse:
    do = request.POST["do"]
    if do == "open":
        run_action(
            request,
            lambda: actions.do_open_case(request.POST.get("key_figure", ""), acting_user=request.user),
            done=_("A selection case was opened."),
        )
        return redirect("pages:selection")
    left, right = request.POST.get("municipality_key_figure", ""), request.POST.get("police_key_figure", "")
    if do == "confirm":
        run_action(
            request,
            lambda: do_confirm_match(left, right, acting_user=request.user),
            done=_("Confirmed: one person on both lists."),
        )
    else:
        run_action(
            request,
            lambda: do_reject_match(
                left, right, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            done=_("Rejected: two different people."),
        )
    return redirect("pages:selection")


def _available(case) -> set[str]:
    return {step.name for step in SELECTION_WORKFLOW.steps if case.state in step.sources}


@staff_page
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access_case_by_id(request.user, case_id)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms_by_step = {
        "start_review": NoteForm(request.POST if step == "start_review" else None, prefix="start"),
        "approve": NoteForm(request.POST if step == "approve" else None, prefix="approve"),
        "reject": ReasonForm(request.POST if step == "reject" else None, prefix="reject"),
        "record_home_visit": HomeVisitForm(
            request.POST if step == "record_home_visit" else None, prefix="visit"
        ),
        "decide": DecideForm(request.POST if step == "decide" else None, prefix="decide"),
        "step_down": ReasonForm(request.POST if step == "step_down" else None, prefix="down"),
        "reactivate": ReasonForm(request.POST if step == "reactivate" else None, prefix="again"),
    }
    form = forms_by_step.get(step)
    if form is not None and form.is_valid():
        data, user = form.cleaned_data, request.user
        run = {
            "start_review": lambda: actions.do_start_review(case, acting_user=user, reason=data["note"]),
            "approve": lambda: actions.do_approve_case(case, acting_user=user, note=data["note"]),
            "reject": lambda: actions.do_reject_case(case, acting_user=user, reason=data["reason"]),
            "record_home_visit": lambda: actions.do_record_home_visit(
                case,
                acting_user=user,
                visited_on=data["visited_on"],
                visitor_ids=[m.pk for m in data["visitors"]],
                answers=form.answers(),
            ),
            "decide": lambda: actions.do_decide_case(
                case, acting_user=user, outcome=data["outcome"], reason=data["reason"]
            ),
            "step_down": lambda: actions.do_step_down(case, acting_user=user, reason=data["reason"]),
            "reactivate": lambda: actions.do_reactivate(case, acting_user=user, reason=data["reason"]),
        }[step]
        if run_action(request, run, done=_("Saved.")) is not None:
            return redirect("pages:case", case_id=case.pk)
    available = _available(case)
    if {"decide_ally", "decide_not_suitable"} & available:
        available.add("decide")
    has_visit = hasattr(case, "home_visit")
    if has_visit:
        available.discard("record_home_visit")
    return render(
        request,
        "pages/case.html",
        {
            "nav": "selection",
            "case": case,
            "state_label": SELECTION_WORKFLOW.label(case.state),
            "forms": {name: f for name, f in forms_by_step.items() if name in available},
            "transitions": sorted(case.transitions.all(), key=lambda t: t.created_at),
            "approvals": list(case.approvals.all()),
            "visit": case.home_visit if has_visit else None,
            "visit_answers": [
                (
                    label,
                    getattr(case.home_visit, f"get_{question}_answer_display")(),
                    getattr(case.home_visit, f"{question}_notes"),
                )
                for question, label in ASSESSMENT_QUESTIONS.items()
            ]
            if has_visit
            else [],
        },
    )
