"""URLs of the public host (``AGORA_BASE_DOMAIN`` itself): operators' admin and login."""

from django.contrib import admin
from django.urls import path

from agora.accounts.views import LoginView, LogoutView
from frontend.views import PublicHomeView

admin.site.site_header = "Agora – beheer"

urlpatterns = [
    path("", PublicHomeView.as_view(), name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
