"""The municipality's dashboard and the network map (graph and table of the same read model)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agora.audit.actions import log_person_reads
from agora.ids import parse_id
from frontend.pages.base import member_page, run_action, staff_page
from frontend.pages.crisis_forms import DeclareForm, DrillForm
from tenants.councils.access import councils_visible_to
from tenants.councils.health import council_health
from tenants.crises.actions import do_declare_crisis, do_start_drill
from tenants.crises.queries import open_crises
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tenants.networkmap.queries import network_map
from tenants.signals.access import signals_visible_to
from tenants.signals.deadlines import overdue_cutoff

NETWORK_PURPOSE = "network map page"
DASHBOARD_PURPOSE = "dashboard page"


@member_page
def home(request: HttpRequest) -> HttpResponse:
    """A municipality's start page: the dashboard for staff, the portal for allies."""
    if request.actor.is_staff:
        return dashboard(request)
    from frontend.pages.portal import portal

    return portal(request)


def _crisis_forms(request: HttpRequest) -> tuple[DeclareForm, DrillForm, HttpResponse | None]:
    """The declare and drill forms; a valid one runs its action (the same as the API's)."""
    councils = list(councils_visible_to(request.user).order_by("name"))
    neighbourhoods = list(Neighbourhood.objects.order_by("name"))
    data = request.POST if request.method == "POST" else None
    what = request.POST.get("do") if data else None
    declare = DeclareForm(
        data if what == "declare" else None, councils=councils, neighbourhoods=neighbourhoods, prefix="crisis"
    )
    drill = DrillForm(data if what == "drill" else None, councils=councils, prefix="drill")
    if what == "declare" and declare.is_valid():
        crisis = run_action(
            request,
            lambda: do_declare_crisis(**declare.cleaned_data, acting_user=request.user),
            done=_("The crisis is declared; the councils are being called."),
        )
        if crisis is not None:
            return declare, drill, redirect(f"/crises/{crisis.pk}/?room=1")
    if what == "drill" and drill.is_valid():
        council_id = drill.cleaned_data["council_id"]
        started = run_action(
            request,
            lambda: do_start_drill(council_id, acting_user=request.user),
            done=_("The drill has started: the council's members are being called."),
        )
        if started is not None:
            return declare, drill, redirect("pages:council", council_id=council_id)
    return declare, drill, None


@staff_page
def dashboard(request: HttpRequest) -> HttpResponse:
    declare, drill, done = _crisis_forms(request)
    if done is not None:
        return done
    health = council_health()["councils"]
    names = dict(councils_visible_to(request.user).values_list("pk", "name"))
    councils = [row for row in health if row["id"] in names]
    cutoff = overdue_cutoff()
    open_signals = list(
        signals_visible_to(request.user)
        .awaiting_answer()
        .with_overdue_flag(cutoff=cutoff)
        .select_related("neighbourhood", "ally")
        .order_by("awaiting_answer_since")[:20]
    )
    log_person_reads(actor=request.user, objs=[s.ally for s in open_signals], purpose=DASHBOARD_PURPOSE)
    gaps = network_map()["gaps"]
    return render(
        request,
        "pages/dashboard.html",
        {
            "nav": "dashboard",
            "councils": councils,
            "overdue_councils": [c for c in councils if c["schedule"]["is_overdue"]],
            "open_signals": open_signals,
            "overdue_signal_count": sum(1 for s in open_signals if s.is_overdue),
            "gaps": gaps,
            "crises": open_crises(),
            "declare_form": declare,
            "drill_form": drill,
        },
    )


def _filtered(data: dict[str, Any], neighbourhood_id: int | None, community_id: int | None) -> dict[str, Any]:
    """The map narrowed to one neighbourhood and/or community (presentation only: same read model)."""
    neighbourhoods = list(data["neighbourhoods"])
    if neighbourhood_id is not None:
        neighbourhoods = [n for n in neighbourhoods if n["id"] == neighbourhood_id]
    elif data["elsewhere"]["key_figure_count"]:
        # Key figures who live in none of this municipality's neighbourhoods: one area of their own.
        neighbourhoods.append(
            {**data["elsewhere"], "id": 0, "name": _("elsewhere"), "police_officers": [], "elsewhere": True}
        )
    if community_id is not None:
        neighbourhoods = [
            {**n, "communities": [c for c in n["communities"] if c["id"] == community_id]}
            for n in neighbourhoods
        ]
    return {**data, "neighbourhoods": neighbourhoods}


def _graph(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Cytoscape elements: neighbourhoods, communities, key figures (allies marked), police."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    gap_ids = {g["id"] for g in data["gaps"]["communities_without_ally"]}
    for hood in data["neighbourhoods"]:
        hood_id = f"n{hood['id']}"
        nodes[hood_id] = {"id": hood_id, "label": hood["name"], "kind": "neighbourhood"}
        for officer in hood["police_officers"]:
            police_id = f"p{officer['membership_id']}"
            nodes[police_id] = {"id": police_id, "label": officer["name"], "kind": "police"}
            edges.append({"source": police_id, "target": hood_id})
        for community in hood["communities"]:
            community_id = f"c{community['id']}"
            nodes[community_id] = {
                "id": community_id,
                "label": community["name"],
                "kind": "community",
                "gap": community["id"] in gap_ids,
            }
            for person in community["key_figures"]:
                person_id = f"k{person['id']}"
                nodes[person_id] = {
                    "id": person_id,
                    "label": person["name"],
                    "kind": "ally" if person["is_ally"] else "key_figure",
                    "stale": person["stale"],
                }
                edges.append({"source": person_id, "target": community_id})
                edges.append({"source": person_id, "target": hood_id})
    unique_edges = {(e["source"], e["target"]): e for e in edges}
    return {"nodes": list(nodes.values()), "edges": list(unique_edges.values())}


@staff_page
def network(request: HttpRequest) -> HttpResponse:
    data = network_map()
    neighbourhood_id = parse_id(request.GET.get("neighbourhood") or "")
    community_id = parse_id(request.GET.get("community") or "")
    shown = _filtered(data, neighbourhood_id, community_id)
    # One row per person: their communities joined (the graph draws one node per person too).
    rows: dict[int, dict[str, Any]] = {}
    for hood in shown["neighbourhoods"]:
        for community in hood["communities"]:
            for person in community["key_figures"]:
                row = rows.setdefault(
                    person["id"], {"person": person, "communities": [], "neighbourhood": hood}
                )
                row["communities"].append(community["name"])
    people = rows
    log_person_reads(
        actor=request.user, objs=list(KeyFigure.objects.filter(pk__in=people)), purpose=NETWORK_PURPOSE
    )
    context = {
        "nav": "network",
        "map": data,
        "rows": list(rows.values()),
        "key_figure_count": len(people),
        "graph": _graph(shown),
        "neighbourhood_id": neighbourhood_id,
        "community_id": community_id,
        "view": "table" if request.GET.get("view") == "table" else "graph",
    }
    template = "pages/network_table.html" if request.headers.get("HX-Request") else "pages/network.html"
    return render(request, template, context)
