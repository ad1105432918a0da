"""Serializers of the nominations API: shapes only, no rules (those live in tenants.nominations)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import IdField
from tenants.nominations.columns import describe_row_error
from tenants.nominations.models import ImportRun, Source


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class RowOutcomeSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    fields = serializers.ListField(child=serializers.CharField(), help_text="Fields that change (updated).")
    codes = serializers.ListField(child=serializers.CharField(), help_text="Error codes (error).")


class ImportRunFilterSerializer(serializers.Serializer):
    """Query parameters of the import-run list."""

    source = serializers.ChoiceField(choices=Source.choices, required=False, help_text="Whose list.")
    dry_run = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only previews (true) or only imports (false).",
    )


class ImportUploadSerializer(serializers.Serializer):
    # Empty files reach the service, which answers with its own stable code (nomination_file_empty).
    file = serializers.FileField(allow_empty_file=True)
    source = serializers.ChoiceField(choices=Source.choices)
    dry_run = serializers.BooleanField(default=False)


class ImportReportSerializer(serializers.Serializer):
    """The report of an import (or dry run) as the service returned it."""

    run_id = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()
    file_name = serializers.CharField()
    file_format = serializers.CharField()
    checksum = serializers.CharField()
    dry_run = serializers.BooleanField()
    total_rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    error_count = serializers.IntegerField()
    key_figures_created = serializers.IntegerField()
    key_figures_linked = serializers.IntegerField()
    not_in_file = serializers.IntegerField()
    ignored_columns = serializers.ListField(child=serializers.CharField())
    errors = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField(
        help_text="Row by row (the first 500) what the import did or, in a dry run, would do."
    )
    rows_truncated = serializers.BooleanField(help_text="More rows than listed in rows.")

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, report) -> list[dict[str, Any]]:
        return [describe_row_error(error.as_dict()) for error in report.errors]

    @extend_schema_field(RowOutcomeSerializer(many=True))
    def get_rows(self, report) -> list[dict[str, Any]]:
        return [row.as_dict() for row in report.rows]


class ImportRunSerializer(serializers.ModelSerializer):
    imported_by = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "source",
            "file_name",
            "file_format",
            "checksum",
            "imported_by",
            "started_at",
            "finished_at",
            "dry_run",
            "total_rows",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "key_figures_created",
            "key_figures_linked",
            "not_in_file",
            "ignored_columns",
            "errors",
        ]
        read_only_fields = fields

    def get_imported_by(self, run: ImportRun) -> str | None:
        return run.imported_by.display_name if run.imported_by_id else None

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, run: ImportRun) -> list[dict[str, Any]]:
        return [describe_row_error(error) for error in run.errors]


class MatchRequestSerializer(serializers.Serializer):
    municipality_key_figure = IdField()
    police_key_figure = IdField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ComparisonPersonSerializer(serializers.Serializer):
    key_figure_id = serializers.IntegerField()
    name = serializers.CharField()
    first_name = serializers.CharField()
    infix = serializers.CharField()
    last_name = serializers.CharField()
    mobile = serializers.CharField()
    email = serializers.CharField()
    neighbourhood = serializers.CharField(allow_null=True)
    lists = serializers.ListField(
        child=serializers.CharField(), help_text="The lists this person is on: municipality, police."
    )


class AmbiguousMatchSerializer(serializers.Serializer):
    municipality = ComparisonPersonSerializer()
    police = ComparisonPersonSerializer()
    score = serializers.FloatField()
    phone = serializers.CharField(help_text="same, different or missing (one side has none)")
    email = serializers.CharField(help_text="same, different or missing (one side has none)")


class ComparisonCountsSerializer(serializers.Serializer):
    both = serializers.IntegerField()
    only_municipality = serializers.IntegerField()
    only_police = serializers.IntegerField()
    ambiguous = serializers.IntegerField()


class ComparisonSerializer(serializers.Serializer):
    both = ComparisonPersonSerializer(many=True)
    only_municipality = ComparisonPersonSerializer(many=True)
    only_police = ComparisonPersonSerializer(many=True)
    ambiguous = AmbiguousMatchSerializer(many=True)
    counts = ComparisonCountsSerializer()


class MatchConfirmedSerializer(serializers.Serializer):
    key_figure_id = serializers.IntegerField()
    name = serializers.CharField()
    nominated_by_municipality = serializers.BooleanField()
    nominated_by_police = serializers.BooleanField()


class MatchRejectedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    municipality_key_figure = serializers.IntegerField(source="municipality_key_figure_id")
    police_key_figure = serializers.IntegerField(source="police_key_figure_id")
    score = serializers.FloatField()
    reason = serializers.CharField()
