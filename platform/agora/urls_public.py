"""URLs of the public host (``AGORA_BASE_DOMAIN`` itself): operators' admin, login, the national view.

The national view's API lives here, not under the tenant URLconf's ``api/``: it reads across
municipalities from the public schema (``agora.national``), so it has no tenant host.
"""

from django.contrib import admin
from django.urls import include, path

from agora.accounts import two_factor_views
from agora.accounts.views import LoginView, LogoutView, start_handoff
from api.auth import views as token_views
from frontend import national_views
from frontend.views import PublicHomeView, operator_municipalities

admin.site.site_header = "Agora – beheer"

handler403 = "frontend.errors.permission_denied"
handler404 = "frontend.errors.page_not_found"
handler500 = "frontend.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", PublicHomeView.as_view(), name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("login/verify/", two_factor_views.verify, name="login-verify"),
    path("login/enrol/", two_factor_views.enrol, name="login-enrol"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", two_factor_views.log_out_everywhere, name="logout-everywhere"),
    path("hand-off/<slug:slug>/", start_handoff, name="start-handoff"),
    path("beheer/gemeenten/", operator_municipalities, name="operator-municipalities"),
    path("admin/", admin.site.urls),
    # National analysts have no municipality host: their API token comes from here (the same
    # token, user-wide, that a municipality's host gives its members).
    path("api/v1/auth/token/", token_views.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/auth/logout/", token_views.LogoutView.as_view(), name="api-logout"),
    path("api/v1/auth/logout-all/", token_views.LogoutAllView.as_view(), name="api-logout-all"),
    path("api/v1/national/", include("api.national.urls")),
    path("national/", national_views.NationalHomeView.as_view(), name="national"),
    path(
        "national/districts/<str:district_id>/",
        national_views.DistrictPageView.as_view(),
        name="national-district",
    ),
    path(
        "national/districts/<str:district_id>/municipalities/<str:municipality_id>/",
        national_views.MunicipalityPageView.as_view(),
        name="national-municipality",
    ),
    path(
        "national/districts/<str:district_id>/municipalities/<str:municipality_id>/"
        "neighbourhoods/<str:neighbourhood_id>/",
        national_views.NeighbourhoodPageView.as_view(),
        name="national-neighbourhood",
    ),
]
