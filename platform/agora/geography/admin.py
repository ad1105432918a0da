from django.contrib import admin

from agora.geography.models import PoliceDistrict, PoliceUnit


@admin.register(PoliceUnit)
class PoliceUnitAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(PoliceDistrict)
class PoliceDistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "unit"]
    list_filter = ["unit"]
    search_fields = ["name"]
