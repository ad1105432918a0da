"""URLs of a municipality's host (``<slug>.<AGORA_BASE_DOMAIN>``)."""

from django.urls import include, path

from agora.accounts.views import LoginView, LogoutView
from frontend.tenant_admin import tenant_admin_site
from frontend.views import TenantHomeView

urlpatterns = [
    path("", TenantHomeView.as_view(), name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("admin/", tenant_admin_site.urls),
    path("api/", include("api.urls")),
]
