"""Login and logout, on every host (public and tenant)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device

from agora.accounts import login_attempts
from agora.accounts.handoff import mint_handoff, redeem_handoff
from agora.accounts.session_policy import second_factor_done
from agora.errors import DomainError
from agora.municipalities.models import Municipality
from agora.municipalities.provisioning import host_for


class LoginView(auth_views.LoginView):
    """Django's login, behind the one lockout (``agora.accounts.lockout``) that every way in shares.

    Failures are counted by the ``user_login_failed`` signal, not here, so that this page, the
    admin and the token endpoint cannot disagree.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs) -> HttpResponse:
        if login_attempts.is_blocked(request, request.POST.get("username", "")):
            return self._locked_out()
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        if getattr(self.request, "agora_locked_out", False):  # the limit was reached meanwhile
            return self._locked_out()
        return super().form_invalid(form)

    def _locked_out(self) -> HttpResponse:
        form = self.get_form()
        form.errors.clear()
        form.add_error(None, login_attempts.throttled_error().message())
        return self.render_to_response(self.get_context_data(form=form), status=429)


class LogoutView(auth_views.LogoutView):
    pass


# --- one login across hosts (agora.accounts.handoff) ---


def _port_suffix(request: HttpRequest) -> str:
    port = request.get_port()
    return "" if port in ("80", "443") else f":{port}"


@login_required
def start_handoff(request: HttpRequest, slug: str) -> HttpResponse:
    """Public host: send a logged-in member on to their municipality's host with a fresh token."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404
    try:
        token = mint_handoff(
            request.user,
            municipality,
            language=translation.get_language() or "",
            device_id=request.session.get(DEVICE_ID_SESSION_KEY, "")
            if second_factor_done(request.session, request.user)
            else "",
        )
    except DomainError as error:
        raise PermissionDenied(error.message()) from error
    target = (
        f"{request.scheme}://{host_for(slug)}{_port_suffix(request)}/hand-off/?{urlencode({'token': token})}"
    )
    return HttpResponseRedirect(target)


def finish_handoff(request: HttpRequest) -> HttpResponse:
    """Municipality's host: redeem the token once and start this host's own session."""
    try:
        handoff = redeem_handoff(request.GET.get("token", ""), request.tenant)
    except DomainError as error:
        return render(
            request, "errors/403.html", {"title": _("No access"), "detail": error.message()}, status=403
        )
    auth_login(request, handoff.user, backend="agora.accounts.lockout.LockoutBackend")
    device = Device.from_persistent_id(handoff.device_id) if handoff.device_id else None
    if device is not None and device.user_id == handoff.user.pk and device.confirmed:
        otp_login(request, device)
    response = HttpResponseRedirect("/")
    if handoff.language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            handoff.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


# --- the first official's invitation (agora.municipalities.onboarding) ---


def _invalid_link(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {"title": _("Invalid link"), "detail": error.message()}
    return render(request, "errors/404.html", context, status=404)


def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Municipality's host: choose a first password with a one-time link, then go in, logged in."""
    from django.contrib.auth.forms import SetPasswordForm

    from agora.municipalities.onboarding import do_accept_invitation, invited_user

    municipality = getattr(request, "tenant", None)
    try:
        user = invited_user(uidb64, token, municipality if isinstance(municipality, Municipality) else None)
    except DomainError as error:
        return _invalid_link(request, error)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_accept_invitation(
                user, token, form.cleaned_data["new_password1"], municipality=municipality
            )
        except DomainError as error:
            return render(
                request,
                "errors/404.html",
                {"title": _("Invalid link"), "detail": error.message()},
                status=404,
            )
        auth_login(request, user, backend="agora.accounts.lockout.LockoutBackend")
        return HttpResponseRedirect("/")
    return render(
        request,
        "accounts/set_password.html",
        {"form": form, "municipality": municipality, "invited": user},
        status=400 if request.method == "POST" else 200,
    )
