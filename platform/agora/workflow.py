"""One way to write a state machine: the table, the check under a row lock, the history row.

Each app declares its workflow once (``tenants/<app>/workflow.py``) as a :class:`Workflow`:
English value constants, a Dutch and English label per state, the allowed transitions and,
where an action must not take a transition that merely happens to be allowed from the current
state, the named :class:`Step` of each action. Actions then call :meth:`Workflow.move` on a row
they locked with :func:`lock` (``select_for_update``): it checks the step, sets the new state
and writes one append-only history row, all in the caller's transaction. A refusal is the
shared ``invalid_transition`` (409) naming the current state in the reader's language.

``registered_workflows()`` lists every declared workflow so that one test walks all of them.
See docs/adr/0007-one-workflow-helper.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.utils import translation

from agora.errors import INVALID_TRANSITION, NOT_FOUND, DomainError
from agora.ids import parse_id

M = TypeVar("M", bound=models.Model)

_REGISTRY: dict[str, Workflow] = {}


def language(value: str | None = None) -> str:
    """ "en" or "nl": English when asked for, Dutch otherwise (as ``agora.errors`` does)."""
    return "en" if (value or translation.get_language() or "nl")[:2] == "en" else "nl"


@dataclass(frozen=True)
class Step:
    """One action of a workflow: the states it may start from and the state it leads to.

    ``target`` is None for a step that records something without moving the row.
    """

    name: str
    sources: frozenset[str]
    target: str | None


class InvalidTransition(DomainError):
    """``invalid_transition`` (409) naming the current state in the message's own language.

    ``params["current"]`` stays the state's value (machine-readable); only the rendered message
    says "huisbezoek" in Dutch and "home visit" in English instead of the raw ``home_visit``.
    """

    workflow: Workflow | None = None

    def message(self, language_code: str | None = None) -> str:
        lang = language(language_code)
        current = self.params.get("current", "")
        label = self.workflow.label(current, lang) if self.workflow is not None else str(current)
        params = {**self.params, "current": label}
        return DomainError(self.spec, fields=self.fields, params=params).message(lang)


@dataclass(frozen=True)
class Workflow:
    """A state machine: states with labels in both languages, allowed transitions, named steps."""

    name: str
    labels: Mapping[str, Mapping[str, str]]
    transitions: Mapping[str, frozenset[str]]
    steps: tuple[Step, ...] = ()
    field_name: str = "status"

    def __post_init__(self) -> None:
        states = set(self.labels)
        if set(self.transitions) != states:
            raise AssertionError(f"{self.name}: every state needs a row in the table")
        for source, targets in self.transitions.items():
            if not set(targets) <= states:
                raise AssertionError(f"{self.name}: {source} leads to an unknown state")
        for labels in self.labels.values():
            if set(labels) != {"en", "nl"}:
                raise AssertionError(f"{self.name}: every state needs an English and a Dutch label")
        if self.steps:
            by_steps = {(s, step.target) for step in self.steps if step.target for s in step.sources}
            allowed = {(s, t) for s, targets in self.transitions.items() for t in targets}
            if by_steps != allowed:
                raise AssertionError(
                    f"{self.name}: steps and allowed transitions disagree: {by_steps ^ allowed}"
                )
        if self.name in _REGISTRY and _REGISTRY[self.name] is not self:
            raise AssertionError(f"workflow {self.name!r} is declared twice")
        _REGISTRY[self.name] = self

    # -- reading the table ------------------------------------------------------------------

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.labels)

    def allowed(self, current: str, new: str) -> bool:
        return new in self.transitions.get(current, frozenset())

    def label(self, state: str, language_code: str | None = None) -> str:
        """The state's name in ``language_code`` (default: the active one); unknown states as they are."""
        return self.labels.get(state, {}).get(language(language_code), str(state))

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    # -- refusing ---------------------------------------------------------------------------

    def invalid(self, current: str, step: str) -> DomainError:
        error = InvalidTransition(
            INVALID_TRANSITION, fields={}, params={"current": str(current), "step": step}
        )
        error.workflow = self
        return error

    def check(self, current: str, new: str, *, step: str | None = None) -> None:
        """Refuse ``current -> new`` with ``invalid_transition`` unless the table allows it."""
        if not self.allowed(current, new):
            raise self.invalid(current, step or str(new))

    def check_step(self, step: Step, current: str) -> None:
        """Refuse ``step`` from ``current`` (a step names where it may start, and where it leads)."""
        moves = step.target is not None
        if current not in step.sources or (moves and not self.allowed(current, step.target)):
            raise self.invalid(current, step.name)

    # -- moving a locked row ----------------------------------------------------------------

    def move(
        self,
        obj: M,
        new: str | Step,
        *,
        history: Callable[[str, str], Any] | None,
        update_fields: Iterable[str] = (),
    ) -> str:
        """Check and apply a transition on a row locked by the caller; returns the old state.

        ``new`` is a target state or a :class:`Step`. ``history(old, new)`` writes the one
        append-only history row for the change (in the caller's transaction); None only for a
        workflow whose history is kept elsewhere.
        """
        current = getattr(obj, self.field_name)
        if isinstance(new, Step):
            self.check_step(new, current)
            target = new.target
            if target is None:
                return current
        else:
            self.check(current, new)
            target = new
        setattr(obj, self.field_name, target)
        fields = [self.field_name, *update_fields]
        if any(f.name == "updated_at" for f in obj._meta.get_fields()) and "updated_at" not in fields:
            fields.append("updated_at")
        obj.save(update_fields=fields)
        if history is not None:
            history(current, target)
        return current


def lock(queryset: models.QuerySet[M] | type[M], pk: Any) -> M:
    """The row re-read under ``select_for_update``: decisions are made on what is committed now.

    ``pk`` may be a model instance or an id as a client sent it; missing is ``not_found``.
    """
    manager = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    raw = pk.pk if isinstance(pk, models.Model) else pk
    value = parse_id(raw)
    found = manager.select_for_update(of=("self",)).filter(pk=value).first() if value else None
    if found is None:
        raise NOT_FOUND()
    return found


def registered_workflows() -> dict[str, Workflow]:
    """Every declared workflow, by name (imports the apps' workflow modules first)."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("tenants."):
            try:
                importlib.import_module(f"{config.name}.workflow")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.workflow":
                    raise
    return dict(_REGISTRY)
