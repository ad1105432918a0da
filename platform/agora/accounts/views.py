"""Login and logout, on every host (public and tenant)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from agora.accounts import login_attempts


class LoginView(auth_views.LoginView):
    """Django's login, with failed attempts counted per address and per user name."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        if login_attempts.is_blocked(request, username):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, login_attempts.throttled_error().message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        login_attempts.record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass
