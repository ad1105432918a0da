"""URLs of the public host (``AGORA_BASE_DOMAIN`` itself): operators' admin and login."""

from django.contrib import admin
from django.urls import include, path

from agora.accounts.views import LoginView, LogoutView, start_handoff
from frontend.views import PublicHomeView

admin.site.site_header = "Agora – beheer"

handler403 = "frontend.errors.permission_denied"
handler404 = "frontend.errors.page_not_found"
handler500 = "frontend.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", PublicHomeView.as_view(), name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("hand-off/<slug:slug>/", start_handoff, name="start-handoff"),
    path("admin/", admin.site.urls),
]
