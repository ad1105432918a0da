"""WebSocket consumers. Every database call enters the scope's tenant (see tenancy.py)."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from realtime.groups import group_name
from realtime.tenancy import in_tenant


@in_tenant
def _membership_role(schema_name: str, user_id: int, municipality_id: int) -> str | None:
    from agora.accounts.models import Membership

    membership = Membership.objects.filter(
        user_id=user_id, municipality_id=municipality_id, is_active=True
    ).first()
    return membership.role if membership else None


class MunicipalityEventsConsumer(AsyncJsonWebsocketConsumer):
    """The live feed of one municipality (signals, notices, later the crisis room).

    Members only: an unknown host, an anonymous user or a user without a membership here is
    refused before the socket opens.
    """

    topic = "events"

    async def connect(self) -> None:
        tenant = self.scope.get("tenant")
        user = self.scope.get("user")
        if tenant is None or user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        role = await _membership_role(tenant.schema_name, user.pk, tenant.pk)
        if role is None:
            await self.close(code=4403)
            return
        self.group = group_name(tenant.schema_name, self.topic)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "hello", "payload": {"municipality": tenant.slug, "role": role}})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def agora_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
