"""Users are global (public schema); what they may do in a municipality is their membership."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from agora.accounts.roles import Role


class User(AbstractUser):
    """A person who logs in. Platform operators are superusers; they hold no tenant data rights."""

    is_national_analyst = models.BooleanField(
        _("national police analyst"),
        default=False,
        help_text=_("Works only through district grants in the national view."),
    )
    # No mobile number here: staff are reached on the number of their membership, which may differ
    # per municipality (Membership.mobile); allies on their key figure record.
    session_epoch = models.CharField(
        max_length=32,
        blank=True,
        default="",
        editable=False,
        help_text="Changed by 'log out everywhere': every session started before no longer verifies.",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session hash, over the session epoch too (``do_log_out_everywhere``).

        Every session carries this hash and is dropped when it no longer matches, on every host
        and in every process, with no list of sessions to search: rotating the epoch ends them
        all. With an empty epoch the hash is Django's own, so existing sessions stay valid.
        """
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            self.password + self.session_epoch,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Membership(models.Model):
    """One user's role in one municipality. No membership, no access: not even read."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(
        _("job title"),
        max_length=100,
        blank=True,
        help_text=_("e.g. security adviser, neighbourhood police officer, mayor, alderman"),
    )
    mobile = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        help_text=_(
            "E.164, for this municipality: allies and colleagues call this number between meetings "
            "and in a crisis (a police officer may use another number per municipality)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="one_membership_per_municipality")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.municipality}"

    @property
    def label(self) -> str:
        """How pages name the member: the job title (burgemeester, wijkagent) if set, else the role.

        The role is what the membership permits, not what the person is: a mayor holds the
        official role but is no "municipal official", and was shown as one while the demo said mayor.
        """
        return self.title or str(self.get_role_display())
