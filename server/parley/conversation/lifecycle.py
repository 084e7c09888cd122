"""The conversation's life, owned in one place: open, post, bot turn, handoff, first response,
resolve, reopen, rate, offline contact, transcript; who holds it (assign, accept, transfer,
requeue, release) is ``Holding``, which ``Lifecycle`` builds on.

Each step is one ``history.apply`` (the conversation, its episode and its events in one
transaction), then the news: status to the visitor, the summary to agents, system messages.
The socket edge, the CLI and the tests call these methods and send what they return. Two
decisions are not made here: the bot decides "answer or hand over" (``Answerer``) and routing
decides "who" (``Router``: which team, which agent, when to try).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from parley import clock
from parley.conversation import access
from parley.conversation.holding import Holding
from parley.conversation.protocol import Suggestions
from parley.conversation.status import OPEN_STATUSES, WAITING_STATUSES
from parley.conversation.store import (
    Appended,
    Conversation,
    create_conversation,
    current_episodes,
    idle_with_the_bot,
    latest_conversation,
    update_conversation,
)
from parley.conversation.store.history import Change, Episode, Moment, apply
from parley.errors import BadRequest, Conflict, Forbidden, NotFound
from parley.identity.store import Agent, Visitor
from parley.mail.store import OutgoingMail
from parley.texts import say

BOT_MISSES_BEFORE_HANDOFF = 2
HandoffReason = Literal["asked", "bot_unanswered"]
ResolvedBy = Literal["agent", "visitor", "bot", "timeout"]


@dataclass(frozen=True)
class Opened:
    conversation: Conversation
    created: bool


class Lifecycle(Holding):
    # --- the visitor's side ---------------------------------------------------------------

    async def open_for(self, visitor: Visitor, *, team: str | None) -> Opened:
        """The visitor's latest conversation, or a new one (status ``bot``, episode 1)."""
        latest = await latest_conversation(self.db, visitor.id)
        if latest is not None:
            return Opened(latest, created=False)
        team_id = await self.router.team_for(name=team, locale=visitor.locale)
        created = await create_conversation(
            self.db, visitor_id=visitor.id, locale=visitor.locale, team_id=team_id
        )
        await self.conversations.announce(created)
        return Opened(created, created=True)

    async def visitor_says(
        self,
        visitor: Visitor,
        conversation_id: str,
        *,
        text: str,
        client_id: str,
        attachment_ids: list[str],
        via: str | None = None,
        stored: Callable[[Appended], None] | None = None,
    ) -> Appended:
        """Store the visitor's message; writing in a resolved conversation reopens it, and a
        question in self-service gets the bot's turn. ``via``: how it came, if not the widget;
        ``stored``: told as soon as the message is stored, before the bot's turn (the ack)."""
        posted = await self.conversations.post(
            conversation_id,
            author_kind="visitor",
            author_id=visitor.id,
            author_name=visitor.name,
            text=text,
            client_id=client_id,
            attachment_ids=attachment_ids,
            via=via,
        )
        if stored is not None:
            stored(posted)
        if not posted.created:
            return posted
        conversation = posted.conversation  # as this message left it: no second read
        if conversation.status == "resolved":
            conversation = await self.reopen_by_visitor(conversation)
        if conversation.status == "bot" and text.strip():
            await self.bot_turn(conversation, text, visitor.locale)
        return posted

    async def bot_turn(
        self, conversation: Conversation, question: str, visitor_locale: str | None
    ) -> None:
        """Knowledge base first: suggestions and a bot message; the second miss hands over."""
        locale = conversation.locale or visitor_locale or "en"
        reply = await self._answer(question, locale.split("-")[0])
        await self.conversations.publish_frame(
            conversation,
            Suggestions(
                conversation_id=conversation.id, results=reply.results, confidence=reply.confidence
            ),
            to_visitor=True,
            to_agents=True,
        )
        await self.conversations.post(
            conversation.id,
            author_kind="bot",
            author_id=None,
            author_name=self._voice().bot_name,
            text=reply.text,
            suggestions=reply.results,
        )
        top = reply.results[0].get("slug") if reply.results else None
        verdict = {"top": top, "confidence": reply.confidence, "answered": reply.answered}
        changed = await apply(
            self.db,
            conversation.id,
            Change(
                moments=(Moment("bot_answered", actor_kind="bot", data=verdict),),
                only_if_status=("bot",),
                bot="answered" if reply.answered else "missed",
            ),
        )
        if changed is not None and changed.episode.bot_misses >= BOT_MISSES_BEFORE_HANDOFF:
            await self.handoff(changed.conversation, "bot_unanswered")

    async def handoff(
        self, conversation: Conversation, reason: HandoffReason, note: str | None = None
    ) -> Conversation:
        """Leave self-service: join the queue, then let the router try at once."""
        if conversation.status != "bot":
            if conversation.status == "resolved":
                raise BadRequest("the conversation is resolved", code="resolved")
            return conversation  # already with the people
        # A conversation keeps its team: one deleted meanwhile was moved by that deletion.
        team_id = conversation.team_id or await self.router.default_team()
        now_values: dict[str, Any] = {"status": "queued", "queued_at": clock.now()}
        if not conversation.team_id:
            now_values["team_id"] = team_id
        changed = await apply(
            self.db,
            conversation.id,
            Change(
                moments=(
                    Moment(
                        "handoff",
                        actor_kind="visitor" if reason == "asked" else "bot",
                        data={"reason": reason},
                    ),
                    Moment("queued", data={"reason": "handoff"}),
                ),
                only_if_status=("bot",),
                conversation=now_values,
                first={
                    "handoff_at": now_values["queued_at"],
                    "handoff_reason": reason,
                    "queued_at": now_values["queued_at"],
                },
            ),
        )
        if changed is None:  # someone else moved it meanwhile; theirs stands
            return await self.conversation(conversation.id)
        queued = changed.conversation
        await self.conversations.announce(queued)
        asked = "The visitor asked for a person" + (f": {note}" if note else ".")
        if reason == "bot_unanswered":
            asked = "The help center had no answer twice: handed to a person."
        await self.system_message(queued, asked, internal=True)
        if not await self.router.online_agent_ids():
            hours = self._hours()
            text = self._voice().offline_text or say(
                "offline", queued.locale, hours=hours.text, timezone=hours.zone_name()
            )
            await self.system_message(queued, text)
        await self.router.assign_waiting()
        return await self.conversation(conversation.id)

    async def contact(self, conversation: Conversation, email: str) -> None:
        """The visitor left an email for when nobody is online."""
        await update_conversation(self.db, conversation.id, offline_email=email)
        await apply(
            self.db,
            conversation.id,
            Change(moments=(Moment("contact_left", actor_kind="visitor"),)),
        )
        await self.system_message(
            conversation, say("contact_thanks", conversation.locale, email=email)
        )

    async def transcript(
        self, visitor: Visitor, conversation: Conversation, email: str | None
    ) -> None:
        """The visitor wants the conversation mailed to them: at its resolve, or at once if it
        is resolved already (the ask and the mail in one transaction, see ``transcript_mail``)."""
        address = email or visitor.email or conversation.offline_email
        if not address:
            raise BadRequest("leave an email address for the transcript", code="no_email")
        asked = (await current_episodes(self.db, [conversation.id])).get(conversation.id)
        if asked is not None and asked.transcript_to is not None:
            if asked.transcript_to == address:
                return  # asked already: nothing new to store or say
            if asked.resolved_at is not None:  # one transcript per episode, never re-addressed
                raise BadRequest("the transcript was sent already", code="transcript_sent")
        changed = await apply(
            self.db,
            conversation.id,
            Change(
                moments=(Moment("transcript_requested", actor_kind="visitor"),),
                episode={"transcript_to": address},
                episode_mails=transcript_mail,
            ),
        )
        if changed is None:
            raise NotFound("no such conversation", code="unknown_conversation")
        resolved = changed.episode.resolved_at is not None
        key = "transcript_now" if resolved else "transcript_later"
        await self.system_message(
            changed.conversation, say(key, conversation.locale, email=address)
        )

    async def rate(self, conversation: Conversation, score: int, comment: str | None) -> None:
        """The visitor's rating of the episode just resolved; the first one stands."""
        if conversation.status != "resolved":
            raise BadRequest("a conversation can be rated once it is resolved", code="not_resolved")
        comment = (comment or "").strip() or None
        episode = (await current_episodes(self.db, [conversation.id])).get(conversation.id)
        if episode is not None and episode.rating is not None:
            raise BadRequest("this conversation is rated already", code="already_rated")
        now = clock.now()
        changed = await apply(
            self.db,
            conversation.id,
            Change(
                moments=(
                    Moment(
                        "rated",
                        actor_kind="visitor",
                        agent_id=conversation.assignee_id,
                        team_id=conversation.team_id,
                        data={"score": score, "commented": comment is not None},
                    ),
                ),
                only_if_status=("resolved",),
                first={"rated_at": now, "rating": score, "rating_comment": comment},
            ),
        )
        if changed is None:
            raise BadRequest("a conversation can be rated once it is resolved", code="not_resolved")
        await self.conversations.announce(changed.conversation)

    async def reopen_by_visitor(self, conversation: Conversation) -> Conversation:
        """Writing in a resolved conversation starts a new episode, back with its agent (if any)
        or the bot; the closed episode keeps its rating and times."""
        holder = conversation.assignee_id
        moments = [Moment("reopened", actor_kind="visitor", data={"by": "visitor"})]
        if holder:
            moments.append(
                Moment(
                    "assigned",
                    agent_id=holder,
                    team_id=conversation.team_id,
                    data={"how": "reopen"},
                )
            )
        changed = await apply(
            self.db,
            conversation.id,
            Change(
                moments=tuple(moments),
                only_if_status=("resolved",),
                conversation={"status": "assigned" if holder else "bot"},
                opens_episode="visitor",
                assigns=holder,
            ),
        )
        if changed is None:
            return await self.conversation(conversation.id)
        await self.conversations.announce(changed.conversation)
        return changed.conversation

    # --- the agent's side -----------------------------------------------------------------

    async def agent_says(
        self,
        conversation_id: str,
        agent: Agent,
        *,
        text: str,
        client_id: str,
        attachment_ids: list[str],
        internal: bool,
        reply_use: Mapping[str, Any] | None = None,
    ) -> Appended:
        """An agent's reply (replying to a waiting conversation takes it) or internal note.

        ``reply_use`` (the saved reply and A/B variant the text came from) goes on the reply's
        ``agent_reply`` event."""
        conversation = await self.conversation(conversation_id)
        if internal:
            access.check_may_read(conversation, await access.reader(self.db, agent.id, agent.role))
        else:
            if conversation.status in WAITING_STATUSES:
                conversation = await self.accept(conversation.id, agent)
            access.check_may_act(conversation, agent.id, agent.role)
            if conversation.status == "resolved":
                raise Forbidden("reopen the conversation to reply", code="resolved")
        return await self.conversations.post(
            conversation.id,
            author_kind="agent",
            author_id=agent.id,
            author_name=agent.name,
            text=text,
            client_id=client_id,
            internal=internal,
            attachment_ids=attachment_ids,
            business_seconds=self.business_seconds,
            reply_use=reply_use,
            mail_after=self.mail_after,
        )

    async def resolve(
        self, conversation_id: str, *, by: ResolvedBy, agent: Agent | None = None
    ) -> Conversation:
        """Close the episode. It counts as self-served (deflection) when no person took it and
        the knowledge base answered: the visitor said so, or the bot answered confidently."""
        conversation = await self.conversation(conversation_id)
        if agent is not None:
            access.check_may_act(conversation, agent.id, agent.role)
        if conversation.status == "resolved":
            return conversation
        episode = (await current_episodes(self.db, [conversation.id])).get(conversation.id)
        self_served = (
            episode is not None
            and episode.handoff_at is None
            and episode.first_assigned_at is None
            and (by == "visitor" or episode.bot_answers > 0)
        )
        agent_id = agent.id if agent else None
        rating_request = OutgoingMail(  # sent only if the episode is still unrated by then
            "rating_request",
            conversation_id=conversation.id,
            due_at=None if self.mail_after is None else clock.now() + self.mail_after,
            dedupe_key=f"rating:{conversation.id}:{conversation.episode}",
            data={"episode": conversation.episode},
        )
        now = clock.now()
        opened = now if episode is None else episode.opened_at
        changed = await apply(
            self.db,
            conversation_id,
            Change(
                moments=(
                    Moment(
                        "resolved",
                        actor_kind=by,
                        actor_id=agent_id,
                        agent_id=conversation.assignee_id,
                        team_id=conversation.team_id,
                        data={"by": by, "self_served": self_served},
                    ),
                ),
                only_if_status=OPEN_STATUSES,
                conversation={"status": "resolved"},
                episode={
                    "resolved_at": now,
                    "resolved_by": by,
                    "resolved_by_agent_id": agent_id,
                    "self_served": self_served,
                    "resolution_seconds": (now - opened).total_seconds(),
                    "resolution_business_seconds": self.business_seconds(opened, now),
                },
                mails=(rating_request,) if self.mail_after is not None and not self_served else (),
                episode_mails=transcript_mail,
            ),
        )
        if changed is None:
            return await self.conversation(conversation_id)
        await self.conversations.announce(changed.conversation)
        await self.router.assign_waiting()  # a seat just freed up
        return changed.conversation

    async def resolve_idle(self, *, quiet_since: datetime) -> None:
        """Close the episodes a visitor left with the bot: the answer helped, or they went."""
        for conversation_id in await idle_with_the_bot(self.db, quiet_since=quiet_since):
            await self.resolve(conversation_id, by="timeout")

    async def reopen(self, conversation_id: str, agent: Agent) -> Conversation:
        """An agent takes a resolved conversation up again: a new episode, theirs, unrated."""
        conversation = await self.conversation(conversation_id)
        access.check_may_act(conversation, agent.id, agent.role)
        now = clock.now()
        changed = await apply(
            self.db,
            conversation_id,
            Change(
                moments=(
                    Moment(
                        "reopened",
                        "agent",
                        agent.id,
                        agent.id,
                        conversation.team_id,
                        {"by": "agent"},
                    ),
                    Moment("assigned", agent_id=agent.id, data={"how": "reopen"}),
                ),
                only_if_status=("resolved",),
                conversation={"status": "assigned", "assignee_id": agent.id, "assigned_at": now},
                opens_episode="agent",
                assigns=agent.id,
            ),
        )
        if changed is None:
            raise Conflict("only a resolved conversation can be reopened", code="not_resolved")
        reopened = changed.conversation
        await self.system_message(reopened, f"Reopened by {agent.name}.", internal=True)
        await self._joined(reopened, agent)
        return reopened


def transcript_mail(conversation: Conversation, episode: Episode) -> tuple[OutgoingMail, ...]:
    """The transcript, once the episode is both asked for and resolved, whichever came last.

    Both steps write the episode row (locking it), so the later of the two sees the other's
    value and writes the mail; the dedupe key keeps it to one per episode.
    """
    if episode.transcript_to is None or episode.resolved_at is None:
        return ()
    return (
        OutgoingMail(
            "transcript",
            conversation_id=conversation.id,
            dedupe_key=f"transcript:{conversation.id}:{episode.number}",
            data={
                "episode": episode.number,
                "to": episode.transcript_to,
                "through_seq": conversation.last_seq,
            },
        ),
    )
