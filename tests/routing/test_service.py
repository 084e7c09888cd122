"""The routing service in the running app: what a handoff does to a conversation."""

from __future__ import annotations

from parley.app import create_app
from parley.config import Settings
from parley.conversation.store import conversation_by_id, update_conversation
from parley.identity import store as identity_store
from parley.routing import store as routing_store
from parley.services import Services
from tests.support.factories import new_conversation


async def test_a_handoff_racing_its_teams_deletion_queues_in_the_default_team(
    settings: Settings,
) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        found: Services = app.state.services
        billing = await identity_store.create_team(found.db, "Billing", None)
        conversation = await new_conversation(found.db)
        await update_conversation(found.db, conversation.id, team_id=billing.id)
        seen = await conversation_by_id(found.db, conversation.id)  # the handoff's view ...
        assert seen is not None
        await identity_store.delete_team(found.db, billing.id)  # ... goes stale here

        await found.routing.handoff(seen, None)

        queued = await conversation_by_id(found.db, conversation.id)
        support = await routing_store.team_id_by_name(found.db, "Support")
    assert queued is not None
    assert (queued.status, queued.team_id) == ("queued", support)
