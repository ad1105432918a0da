"""The two nomination lists (municipality and police), kept apart from the key figures they feed.

Step 2 of the method: the municipality and the police each draw up their own list of key
figures; the lists are compared. The lists are stored as :class:`NominationEntry` rows, one per
person per source, so that "who is on whose list" stays answerable after the people have been
merged into the network map (:class:`~tenants.networkmap.models.KeyFigure`). Every import is an
:class:`ImportRun` with its per-row errors. All of it lives in the municipality's schema.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Whose list a row comes from."""

    MUNICIPALITY = "municipality", _("municipality")
    POLICE = "police", _("police")

    @property
    def flag_field(self) -> str:
        """The KeyFigure flag this list sets."""
        return f"nominated_by_{self.value}"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


class ImportRun(models.Model):
    """One import of one list file: who, when, which file, what it did and which rows failed.

    Dry runs are kept too (``dry_run=True``, no entries written) so that the history shows who
    previewed which file; files rejected as a whole leave no run behind.
    """

    source = models.CharField(_("list"), max_length=20, choices=Source.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=FileFormat.choices)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    key_figures_created = models.PositiveIntegerField(_("key figures created"), default=0)
    key_figures_linked = models.PositiveIntegerField(_("linked to key figures already on the map"), default=0)
    not_in_file = models.PositiveIntegerField(
        _("earlier entries not in this file"),
        default=0,
        help_text=_("People on this list from earlier imports who are missing from this file (kept)."),
    )
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    # [{"line": 7, "column": "Mobiel", "code": "nomination_row_invalid_phone", "params": {}}]: never
    # the cell's value (a phone number, an e-mail address); see columns.STORED_PARAMS.
    errors = models.JSONField(_("row errors"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("nomination import")
        verbose_name_plural = _("nomination imports")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class NominationEntry(models.Model):
    """One person on one list, as the list says it (normalised), linked to the key figure it feeds.

    The same person on the same list is one entry, updated in place by later imports (matched on
    phone, then e-mail, then the normalised name). ``raw_row`` keeps the cells as the file had
    them, for the reviewers and for subject access requests.
    """

    source = models.CharField(_("list"), max_length=20, choices=Source.choices, db_index=True)
    key_figure = models.ForeignKey(
        "networkmap.KeyFigure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nomination_entries",
        verbose_name=_("key figure"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    infix = models.CharField(_("infix"), max_length=20, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    neighbourhood = models.ForeignKey(
        "networkmap.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("neighbourhood"),
    )
    communities = models.ManyToManyField("networkmap.Community", blank=True, related_name="+")
    represents = models.CharField(_("represents"), max_length=200, blank=True)
    influence_notes = models.TextField(_("influence notes"), blank=True)
    is_professional_representative = models.BooleanField(
        _("represents a professional organisation"), default=False
    )
    # The normalised name used to recognise the same person on the same list.
    name_key = models.CharField(max_length=250, db_index=True, editable=False)
    raw_row = models.JSONField(_("row as imported"), default=dict)
    line_number = models.PositiveIntegerField(_("line in the file"), default=0)
    first_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="created_entries", verbose_name=_("first import")
    )
    last_changed_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="changed_entries", verbose_name=_("last change")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "last_name", "first_name", "id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self) -> str:
        name = " ".join(part for part in (self.first_name, self.infix, self.last_name) if part)
        return f"{name} ({self.get_source_display()})"


class RejectedMatch(models.Model):
    """Staff said: these two key figures are NOT the same person. Never propose the pair again."""

    municipality_key_figure = models.ForeignKey(
        "networkmap.KeyFigure", on_delete=models.CASCADE, related_name="+"
    )
    police_key_figure = models.ForeignKey("networkmap.KeyFigure", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("name similarity when rejected"), default=0)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_key_figure", "police_key_figure"], name="nomination_rejected_pair_once"
            )
        ]
        verbose_name = _("rejected match")
        verbose_name_plural = _("rejected matches")

    def __str__(self) -> str:
        return f"{self.municipality_key_figure_id} ≠ {self.police_key_figure_id}"
