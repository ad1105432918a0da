"""URLs of a municipality's host (``<slug>.<AGORA_BASE_DOMAIN>``)."""

from django.urls import include, path

from agora.accounts import two_factor_views
from agora.accounts.views import LoginView, LogoutView, accept_invitation, finish_handoff
from frontend.pages.overview import home
from frontend.tenant_admin import tenant_admin_site

handler403 = "frontend.errors.permission_denied"
handler404 = "frontend.errors.page_not_found"
handler500 = "frontend.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("", include("frontend.pages.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", LoginView.as_view(), name="login"),
    path("login/verify/", two_factor_views.verify, name="login-verify"),
    path("login/enrol/", two_factor_views.enrol, name="login-enrol"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", two_factor_views.log_out_everywhere, name="logout-everywhere"),
    path("hand-off/", finish_handoff, name="finish-handoff"),
    path("welkom/<str:uidb64>/<str:token>/", accept_invitation, name="accept-invitation"),
    path("admin/", tenant_admin_site.urls),
    path("api/", include("api.urls")),
]
