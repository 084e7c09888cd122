"""The conversation's life, owned in one place: open, post, bot turn, handoff, assign, transfer,
first response, resolve, reopen, rate, offline contact.

Each step is one ``history.apply`` (the conversation, its episode and its events in one
transaction), then the news: status to the visitor, the summary to agents, system messages.
The socket edge, the CLI and the tests call these methods and send what they return. Two
decisions are not made here: the bot decides "answer or hand over" (``Answerer``) and routing
decides "who" (``Router``: which team, which agent, when to try).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from parley import clock
from parley.conversation import access
from parley.conversation.protocol import AgentRef, Assigned, Suggestions
from parley.conversation.service import ConversationService
from parley.conversation.status import OPEN_STATUSES, WAITING_STATUSES
from parley.conversation.store import (
    Appended,
    Conversation,
    conversation_by_id,
    create_conversation,
    current_episodes,
    idle_with_the_bot,
    latest_conversation,
    update_conversation,
)
from parley.conversation.store.history import Change, Episode, Moment, apply
from parley.db import Database
from parley.errors import BadRequest, Conflict, Forbidden, NotFound
from parley.identity import store as identity_store
from parley.identity.store import Agent, Visitor
from parley.mail.store import OutgoingMail
from parley.texts import say

BOT_MISSES_BEFORE_HANDOFF = 2
HandoffReason = Literal["asked", "bot_unanswered"]
ResolvedBy = Literal["agent", "visitor", "bot", "timeout"]


class BotAnswer(Protocol):
    @property
    def results(self) -> list[dict[str, Any]]: ...
    @property
    def confidence(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def answered(self) -> bool: ...


Answerer = Callable[[str, str], Awaitable[BotAnswer]]  # (question, language) → the bot's reply


class Hours(Protocol):
    """Business hours as the life needs them: said to an offline visitor, counted in waits."""

    @property
    def text(self) -> str: ...
    def zone_name(self) -> str: ...
    def open_seconds_between(self, start: datetime, end: datetime) -> float: ...


class Voice(Protocol):
    """What the site says in its own name (the admin's settings): the bot's name, and the
    words for "nobody is online" ("" means Parley's own, in the visitor's language)."""

    @property
    def bot_name(self) -> str: ...
    @property
    def offline_text(self) -> str: ...


class Router(Protocol):
    """Routing's side of the life: which team, and giving waiting conversations to agents."""

    async def team_for(self, *, name: str | None, locale: str | None) -> str | None: ...
    async def default_team(self) -> str | None: ...
    async def online_agent_ids(self) -> list[str]: ...
    async def assign_waiting(self) -> None: ...


@dataclass(frozen=True)
class Opened:
    conversation: Conversation
    created: bool


class Lifecycle:
    def __init__(
        self,
        db: Database,
        conversations: ConversationService,
        answerer: Answerer,
        hours: Callable[[], Hours],
        voice: Callable[[], Voice],
        *,
        mail_after: timedelta | None = None,
    ) -> None:
        self.db = db
        # Unseen agent replies, and a rating not given in the widget, are mailed this late.
        self.mail_after = mail_after
        self.conversations = conversations
        self._answer = answerer
        self._hours = hours
        self._voice = voice
        self._router: Router | None = None

    def attach(self, router: Router) -> None:
        """Routing is made from this lifecycle, then attached to it: each needs the other."""
        self._router = router

    @property
    def router(self) -> Router:
        if self._router is None:
            raise RuntimeError("no router attached to the lifecycle")
        return self._router

    async def conversation(self, conversation_id: str) -> Conversation:
        found = await conversation_by_id(self.db, conversation_id)
        if found is None:
            raise NotFound("no such conversation", code="unknown_conversation")
        return found

    def business_seconds(self, start: datetime, end: datetime) -> float:
        return self._hours().open_seconds_between(start, end)

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
        now_values: dict[str, Any] = {"status": "queued", "queued_at": _now()}
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
        now = _now()
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

    async def accept(self, conversation_id: str, agent: Agent) -> Conversation:
        """An agent takes a waiting conversation by hand (capacity does not apply)."""
        conversation = await self.conversation(conversation_id)
        if conversation.status == "assigned" and conversation.assignee_id == agent.id:
            return conversation  # accepting your own conversation again is a no-op
        assigned = await self.assign(
            conversation_id, agent, how="manual", from_statuses=WAITING_STATUSES
        )
        if assigned is None:
            raise Conflict("this conversation was already taken", code="already_assigned")
        return assigned

    async def assign(
        self,
        conversation_id: str,
        agent: Agent,
        *,
        how: Literal["auto", "manual"],
        from_statuses: tuple[str, ...] = ("queued",),
    ) -> Conversation | None:
        """The claim: ``agent`` gets the conversation if it is still in ``from_statuses`` (the
        database decides between racing processes); None when someone else won."""
        now = _now()
        changed = await apply(
            self.db,
            conversation_id,
            Change(
                moments=(Moment("assigned", agent_id=agent.id, data={"how": how}),),
                only_if_status=from_statuses,
                conversation={"status": "assigned", "assignee_id": agent.id, "assigned_at": now},
                assigns=agent.id,
            ),
        )
        if changed is None:
            return None
        await self._joined(changed.conversation, agent)
        return changed.conversation

    async def transfer(
        self,
        conversation_id: str,
        by: Agent,
        *,
        agent_id: str | None,
        team: str | None,
        reason: str | None,
    ) -> Conversation:
        conversation = await self.conversation(conversation_id)
        access.check_may_act(conversation, by.id, by.role)
        if (agent_id is None) == (team is None):
            raise BadRequest("transfer to exactly one of agent_id or team")
        handed_over = {"from_agent": conversation.assignee_id, "reason": reason}
        now = _now()
        if agent_id is not None:
            target = await identity_store.agent_by_id(self.db, agent_id)
            if target is None or target.disabled:
                raise NotFound("no such agent", code="unknown_agent")
            change = Change(
                moments=(
                    Moment(
                        "transferred", "agent", by.id, target.id, conversation.team_id, handed_over
                    ),
                    Moment("assigned", agent_id=target.id, data={"how": "transfer"}),
                ),
                only_if_status=OPEN_STATUSES,
                conversation={"status": "assigned", "assignee_id": target.id, "assigned_at": now},
                assigns=target.id,
            )
            target_name = target.name
        else:
            assert team is not None
            team_id = await self.router.team_for(name=team, locale=None)
            if team_id is None:
                raise NotFound(f"no team named {team!r}", code="unknown_team")
            change = Change(
                moments=(
                    Moment("transferred", "agent", by.id, team_id=team_id, data=handed_over),
                    Moment("queued", team_id=team_id, data={"reason": "transfer"}),
                ),
                only_if_status=OPEN_STATUSES,
                conversation={
                    "status": "queued",
                    "assignee_id": None,
                    "team_id": team_id,
                    "queued_at": now,
                },
            )
            target_name = team
        changed = await apply(self.db, conversation_id, change)
        if changed is None:
            raise Conflict("the conversation is resolved", code="resolved")
        transferred = changed.conversation
        await self.conversations.announce(transferred)
        if reason:  # the agent's words are for the team: the visitor's notice never shows them
            note = f"{by.name}'s reason for the transfer: {reason}"
            await self.system_message(transferred, note, internal=True)
        await self.system_message(
            transferred, say("transferred", transferred.locale, agent=by.name, target=target_name)
        )
        if agent_id is not None:
            await self._publish_assigned(transferred, transferred.assignee_id or "", target_name)
        else:
            await self.router.assign_waiting()
        return transferred

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
            due_at=None if self.mail_after is None else _now() + self.mail_after,
            dedupe_key=f"rating:{conversation.id}:{conversation.episode}",
            data={"episode": conversation.episode},
        )
        now = _now()
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
        now = _now()
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

    async def requeue(self, conversation_id: str, *, reason: str) -> Conversation | None:
        """Back to the queue from whoever holds it (a missed response target), for the router."""
        conversation = await self.conversation(conversation_id)
        if conversation.assignee_id is None:
            return None
        changed = await apply(
            self.db,
            conversation_id,
            Change(
                moments=(
                    Moment(
                        "queued", data={"reason": reason, "from_agent": conversation.assignee_id}
                    ),
                ),
                only_if_status=("assigned",),
                only_if_assignee=conversation.assignee_id,
                conversation={"status": "queued", "assignee_id": None, "queued_at": _now()},
            ),
        )
        if changed is None:
            return None
        await self.conversations.announce(changed.conversation)
        return changed.conversation

    async def release(self, agent_id: str, conversation_ids: list[str]) -> None:
        """An agent gone offline past the grace period: their conversations wait again."""
        for conversation_id in conversation_ids:
            changed = await apply(
                self.db,
                conversation_id,
                Change(
                    moments=(
                        Moment("queued", data={"reason": "agent_offline", "from_agent": agent_id}),
                    ),
                    only_if_status=("assigned",),
                    only_if_assignee=agent_id,
                    conversation={"status": "queued", "assignee_id": None, "queued_at": _now()},
                ),
            )
            if changed is None:
                continue
            released = changed.conversation
            await self.conversations.announce(released)
            await self.system_message(released, say("disconnected", released.locale))

    # --- news -----------------------------------------------------------------------------

    async def system_message(
        self, conversation: Conversation, text: str, *, internal: bool = False
    ) -> None:
        await self.conversations.post(
            conversation.id,
            author_kind="system",
            author_id=None,
            author_name=None,
            text=text,
            internal=internal,
        )

    async def _joined(self, conversation: Conversation, agent: Agent) -> None:
        await self.conversations.announce(conversation)
        await self._publish_assigned(conversation, agent.id, agent.name)
        await self.system_message(
            conversation, say("joined", conversation.locale, agent=agent.name)
        )

    async def _publish_assigned(self, conversation: Conversation, agent_id: str, name: str) -> None:
        frame = Assigned(conversation_id=conversation.id, agent=AgentRef(agent_id, name))
        await self.conversations.publish_frame(conversation, frame, to_visitor=True, to_agents=True)


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


def _now() -> datetime:
    return clock.now()
