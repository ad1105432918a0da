"""URLs of the public host (``AGORA_BASE_DOMAIN`` itself): operators' admin, login, the national view.

The national view's API lives here, not under the tenant URLconf's ``api/``: it reads across
municipalities from the public schema (``agora.national``), so it has no tenant host.
"""

from django.contrib import admin
from django.urls import include, path

from agora.accounts.views import LoginView, LogoutView
from frontend.views import PublicHomeView

admin.site.site_header = "Agora – beheer"

urlpatterns = [
    path("", PublicHomeView.as_view(), name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/national/", include("api.national.urls")),
]
