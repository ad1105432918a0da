"""The dashboard's crisis forms: declare a crisis, start a drill. Shapes only; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.crises.models import CrisisKind


class DeclareForm(forms.Form):
    """What ``do_declare_crisis`` takes, as the REST contract names it (title, kind, the ids)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CrisisKind.choices)
    council_ids = forms.MultipleChoiceField(
        label=_("Councils to convene"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    neighbourhood_ids = forms.MultipleChoiceField(
        label=_("Neighbourhoods"),
        required=False,
        choices=(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, councils=(), neighbourhoods=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council_ids"].choices = [(c.pk, c.name) for c in councils]
        self.fields["neighbourhood_ids"].choices = [(n.pk, n.name) for n in neighbourhoods]


class DrillForm(forms.Form):
    council_id = forms.ChoiceField(label=_("Council"), choices=())

    def __init__(self, *args, councils=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council_id"].choices = [(c.pk, c.name) for c in councils]
