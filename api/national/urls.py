"""``/api/v1/national/`` (public host). Ids are matched as text and parsed by ``agora.ids``."""

from django.urls import path

from api.national import views

app_name = "national-api"

DISTRICT = "districts/<str:district_id>/"
MUNICIPALITY = DISTRICT + "municipalities/<str:municipality_id>/"

urlpatterns = [
    path("districts/", views.DistrictListView.as_view(), name="districts"),
    path(DISTRICT, views.DistrictDetailView.as_view(), name="district"),
    path(DISTRICT + "export.csv", views.DistrictCsvView.as_view(), name="district-csv"),
    path(DISTRICT + "export.html", views.DistrictHtmlView.as_view(), name="district-html"),
    path(MUNICIPALITY, views.MunicipalityDetailView.as_view(), name="municipality"),
    path(
        MUNICIPALITY + "neighbourhoods/<str:neighbourhood_id>/",
        views.NeighbourhoodDetailView.as_view(),
        name="neighbourhood",
    ),
    path(MUNICIPALITY + "crises/<str:crisis_id>/", views.CrisisDetailView.as_view(), name="crisis"),
]
