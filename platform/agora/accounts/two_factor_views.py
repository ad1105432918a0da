"""The second step of a login (a TOTP code), enrolment with a locally drawn QR code, and
"log out everywhere" for the web (docs/security.md, "Authentication")."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from agora.accounts import login_attempts, two_factor
from agora.accounts.session_policy import second_factor_done
from agora.accounts.signout import do_log_out_everywhere

ENROLMENT_DEVICE_NAME = "authenticator"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return "/"
    return target


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once the login is complete
    login_attempts.forget_failures(request, request.user.get_username())
    return HttpResponseRedirect(_next(request))


def _wrong_code(request: HttpRequest) -> HttpResponse | None:
    """Count a wrong code as a failed login; at the limit, end the half-done login."""
    username = request.user.get_username()
    login_attempts.record_failure(request, username)
    if login_attempts.is_blocked(request, username):
        logout(request)
        return render(
            request,
            "errors/403.html",
            {"title": _("Log in"), "detail": login_attempts.throttled_error().message()},
            status=429,
        )
    return None


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the six-digit code of the user's authenticator app."""
    user = request.user
    if second_factor_done(request.session, user):
        return HttpResponseRedirect(_next(request))
    if not two_factor.has_second_factor(user):
        return HttpResponseRedirect(f"{reverse('login-enrol')}?next={_next(request)}")
    error = ""
    if request.method == "POST":
        device = two_factor.verified_device(user, request.POST.get("otp_token", ""))
        if device is not None:
            return _verified(request, device)
        locked = _wrong_code(request)
        if locked is not None:
            return locked
        error = two_factor.OTP_INVALID().message()
    return render(
        request,
        "accounts/otp_verify.html",
        {"error": error, "next": _next(request)},
        status=400 if error else 200,
    )


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code (drawn here, no outside service), then one code.

    A user who already has a confirmed device must first verify with it: otherwise a stolen
    password alone could enrol the thief's phone.
    """
    user = request.user
    policy = two_factor.two_factor_policy(user)
    if policy == two_factor.TwoFactor.OFF and not two_factor.has_second_factor(user):
        return render(
            request,
            "errors/403.html",
            {"title": _("No access"), "detail": two_factor.OTP_NOT_OFFERED().message()},
            status=403,
        )
    if two_factor.has_second_factor(user) and not second_factor_done(request.session, user):
        return HttpResponseRedirect(f"{reverse('login-verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=ENROLMENT_DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=ENROLMENT_DEVICE_NAME)
    error = ""
    if request.method == "POST":
        code = (request.POST.get("otp_token") or "").strip().replace(" ", "")
        if code.isdigit() and device.verify_is_allowed()[0] and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
            return _verified(request, device)
        error = two_factor.OTP_INVALID().message()
    context = {
        "qr_svg": mark_safe(_qr_svg(device)),
        "secret": base64.b32encode(device.bin_key).decode(),
        "error": error,
        "next": _next(request),
        "required": policy == two_factor.TwoFactor.REQUIRED,
    }
    return render(request, "accounts/otp_enrol.html", context, status=400 if error else 200)


@require_POST
@login_required
def log_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session (this one too) and every API token of the user."""
    do_log_out_everywhere(request.user, acting_user=request.user)
    logout(request)
    return HttpResponseRedirect(reverse("login"))
