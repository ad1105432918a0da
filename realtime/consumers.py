"""WebSocket consumers. Every database call enters the scope's tenant (see tenancy.py)."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from realtime.groups import ally_group, staff_group
from realtime.tenancy import in_tenant


@in_tenant
def _audience(schema_name: str, user_id: int, municipality_id: int) -> tuple[str | None, list[int]]:
    """The user's role here (None: no active membership) and, for an ally, their key figure ids."""
    from agora.accounts.models import Membership
    from agora.accounts.roles import Role
    from tenants.networkmap.models import KeyFigure

    membership = Membership.objects.filter(
        user_id=user_id, municipality_id=municipality_id, is_active=True
    ).first()
    if membership is None:
        return None, []
    if membership.role != Role.ALLY:
        return membership.role, []
    figures = KeyFigure.objects.filter(user_id=user_id, is_ally=True).order_by("pk")
    return membership.role, list(figures.values_list("pk", flat=True))


def groups_for(schema_name: str, topic: str, role: str, ally_ids: list[int]) -> list[str]:
    """Staff join the municipality's staff group; an ally joins only their own group(s)."""
    from agora.accounts.roles import STAFF_ROLES, Role

    if role in STAFF_ROLES:
        return [staff_group(schema_name, topic)]
    if role == Role.ALLY:
        return [ally_group(schema_name, topic, pk) for pk in ally_ids]
    return []


class MunicipalityEventsConsumer(AsyncJsonWebsocketConsumer):
    """The live feed of one municipality (signals, notices, later the crisis room).

    Members only: an unknown host, an anonymous user or a user without a membership here is
    refused before the socket opens. Staff receive the municipality's staff events; an ally
    receives only the events sent to them (their own signals, notices addressed to them).
    """

    topic = "events"

    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        tenant = self.scope.get("tenant")
        user = self.scope.get("user")
        if tenant is None or user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        role, ally_ids = await _audience(tenant.schema_name, user.pk, tenant.pk)
        if role is None:
            await self.close(code=4403)
            return
        for group in groups_for(tenant.schema_name, self.topic, role, ally_ids):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        await self.send_json({"event": "hello", "payload": {"municipality": tenant.slug, "role": role}})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def agora_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
