"""WebSocket consumers. Every database call enters the scope's tenant (see tenancy.py)."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agora.accounts.actors import Actor, actor_for
from realtime.groups import ally_group, staff_group, user_group
from realtime.observed import ObservedSocket
from realtime.tenancy import in_tenant


@in_tenant
def _resolve_actor(schema_name: str, user, municipality) -> Actor:
    """The socket's user as a member of the municipality, by the actor core (``user.is_active`` too).

    Asked once per socket, inside the tenant's schema, so that an ally's key figures are read
    from that schema and from nowhere else.
    """
    return actor_for(user, municipality)


def groups_for(schema_name: str, topic: str, actor: Actor) -> list[str]:
    """Staff join the municipality's staff group; an ally joins only their own group(s)."""
    if actor.is_staff:
        return [staff_group(schema_name, topic)]
    if actor.is_ally:
        return [ally_group(schema_name, topic, pk) for pk in sorted(actor.ally_key_figure_ids)]
    return []


class MunicipalityEventsConsumer(ObservedSocket, AsyncJsonWebsocketConsumer):
    """The live feed of one municipality (signals, notices, later the crisis room).

    Members only: an unknown host, an anonymous user or a user without an active membership here
    (a deactivated account included) is refused before the socket opens. Staff receive the
    municipality's staff events; an ally receives only the events sent to them (their own
    signals, notices addressed to them).
    """

    topic = "events"
    socket_kind = "events"

    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        tenant = self.scope.get("tenant")
        user = self.scope.get("user")
        if tenant is None or user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.actor = await _resolve_actor(tenant.schema_name, user, tenant)
        if not self.actor.is_member:
            await self.close(code=4403)
            return
        # The user's own group too: a logout or revocation closes this socket (realtime.revocation).
        for group in [
            *groups_for(tenant.schema_name, self.topic, self.actor),
            user_group(tenant.schema_name, user.pk),
        ]:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        await self.send_json(
            {"event": "hello", "payload": {"municipality": tenant.slug, "role": self.actor.role}}
        )

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def agora_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})

    async def agora_disconnect(self, message: dict) -> None:
        """The user logged out or lost their right to this feed: close at once."""
        await self.close(code=int(message.get("code") or 4403))
