"""Key figures (sleutelfiguren), staff only: the list by neighbourhood and community, one person's
record with their contact moments, and the create and edit forms.

Every write is a network-map action (``do_create_key_figure``, ``do_update_key_figure``,
``do_record_contact``), exactly as the API's; the list narrows with the API's own filters
(``tenants.networkmap.listing``), and every record shown is logged: the list logs the page of
people it shows, the detail reads through ``access_key_figure_by_id`` (which logs). Whether someone
is an ally is never set here: only the selection procedure decides that.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.audit.actions import log_person_reads
from agora.ids import parse_id
from frontend.pages.base import run_form_action, staff_page
from tenants.networkmap.access import access_key_figure_by_id, key_figures_visible_to
from tenants.networkmap.actions import (
    KEY_FIGURE_FIELDS,
    do_create_key_figure,
    do_record_contact,
    do_update_key_figure,
)
from tenants.networkmap.listing import filter_key_figures
from tenants.networkmap.models import Community, ContactKind, KeyFigure, Neighbourhood
from tenants.selection.access import cases_visible_to

LIST_PURPOSE = "key figures page: list"
DETAIL_PURPOSE = "key figures page: record"
PER_PAGE = 50

# The form's fields in reading order; the same set the actions accept (checked at import).
FORM_FIELDS = [
    "first_name",
    "infix",
    "last_name",
    "mobile",
    "email",
    "neighbourhood",
    "residence_cbs_code",
    "communities",
    "represents",
    "influence_notes",
    "nominated_by_municipality",
    "nominated_by_police",
    "is_professional_representative",
]
assert set(FORM_FIELDS) == KEY_FIGURE_FIELDS, "the key figure form must offer what the actions accept"


class KeyFigureForm(forms.Form):
    """The record as the actions take it; the labels are the model's own (translated)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                KeyFigure,
                fields=FORM_FIELDS,
                widgets={
                    "communities": forms.CheckboxSelectMultiple,
                    "influence_notes": forms.Textarea(attrs={"rows": 3}),
                },
            )
        )
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.order_by("name")
        self.fields["communities"].queryset = Community.objects.order_by("name")
        self.fields["communities"].help_text = ""
        # The model field has no verbose name (Django would show the English "Communities").
        self.fields["communities"].label = gettext_lazy("Communities")
        self.fields["mobile"].widget.attrs.update(type="tel", autocomplete="off")
        self.fields["email"].widget.attrs.update(autocomplete="off")

    def changes(self) -> dict[str, Any]:
        """Only what the user changed (an edit must not rewrite fields nobody touched)."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ContactForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("How"), choices=ContactKind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_on = forms.DateField(
        label=gettext_lazy("Next contact agreed by (optional)"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


def _filters(request: HttpRequest) -> dict[str, Any]:
    ally = request.GET.get("ally", "")
    return {
        "neighbourhood": parse_id(request.GET.get("neighbourhood") or ""),
        "community": parse_id(request.GET.get("community") or ""),
        "is_ally": {"yes": True, "no": False}.get(ally),
        "search": (request.GET.get("q") or "")[:100],
    }


@staff_page
def key_figure_list(request: HttpRequest) -> HttpResponse:
    """Everyone on the map, narrowed by neighbourhood, community, ally or name; 50 to a page."""
    wanted = _filters(request)
    queryset = filter_key_figures(
        key_figures_visible_to(request.user).select_related("neighbourhood").prefetch_related("communities"),
        **wanted,
    ).order_by("last_name", "first_name", "id")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    people = list(page.object_list)
    log_person_reads(actor=request.user, objs=people, purpose=LIST_PURPOSE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pages/key_figures.html",
        {
            "nav": "key-figures",
            "page": page,
            "people": people,
            "filters": wanted,
            "ally": request.GET.get("ally", ""),
            "query": query.urlencode(),
            "neighbourhoods": Neighbourhood.objects.order_by("name"),
            "communities": Community.objects.order_by("name"),
        },
    )


@staff_page
def key_figure_create(request: HttpRequest) -> HttpResponse:
    form = KeyFigureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_form_action(
            request,
            form,
            lambda: do_create_key_figure(form.cleaned_data, acting_user=request.user),
            done=_("The key figure is on the map."),
        )
        if created is not None:
            return redirect("pages:key-figure", key_figure_id=created.pk)
    return render(request, "pages/key_figure_form.html", {"nav": "key-figures", "form": form, "person": None})


@staff_page
def key_figure_edit(request: HttpRequest, key_figure_id: str) -> HttpResponse:
    person = access_key_figure_by_id(request.user, key_figure_id, purpose=f"{DETAIL_PURPOSE} (edit)")
    initial = forms.model_to_dict(person, fields=FORM_FIELDS)
    form = KeyFigureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_form_action(
            request,
            form,
            lambda: do_update_key_figure(person, form.changes(), acting_user=request.user),
            done=_("Saved."),
        )
        if saved is not None:
            return redirect("pages:key-figure", key_figure_id=person.pk)
    return render(
        request, "pages/key_figure_form.html", {"nav": "key-figures", "form": form, "person": person}
    )


@staff_page
def key_figure_detail(request: HttpRequest, key_figure_id: str) -> HttpResponse:
    """One record with its contact moments; a contact moment is recorded here too."""
    person = access_key_figure_by_id(request.user, key_figure_id, purpose=DETAIL_PURPOSE)
    contact = ContactForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and contact.is_valid():
        data = contact.cleaned_data
        recorded = run_form_action(
            request,
            contact,
            lambda: do_record_contact(
                person,
                acting_user=request.user,
                date=data["date"],
                kind=data["kind"],
                note=data["note"],
                follow_up_on=data["follow_up_on"],
            ),
            done=_("The contact moment is recorded."),
        )
        if recorded is not None:
            return redirect("pages:key-figure", key_figure_id=person.pk)
    contacts = list(
        person.contacts.select_related("membership__user", "follow_up_by__user").order_by("-date", "-id")[:50]
    )
    return render(
        request,
        "pages/key_figure.html",
        {
            "nav": "key-figures",
            "person": person,
            "communities": list(person.communities.order_by("name")),
            "contacts": contacts,
            "contact_form": contact,
            "cases": list(cases_visible_to(request.user).filter(key_figure=person).order_by("-pk")),
        },
    )
