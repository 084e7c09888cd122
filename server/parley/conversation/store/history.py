"""A conversation's record: its episodes and the append-only event log, written with each change.

``apply`` is the one way a step of the life (handoff, assignment, transfer, resolve, reopen,
rating, ...) reaches the database: the conversation row, its current episode and the step's
events change in one transaction, or not at all. An episode's ``first_*`` values are set once;
a reopen opens the next episode instead of clearing the last, and no event is ever updated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, and_, bindparam, case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.conversation.store.conversations import Conversation
from parley.db import Database
from parley.db.records import record
from parley.db.schema import agents, conversation_episodes, conversation_events, conversations
from parley.mail.store import OutgoingMail, enqueue_in, enqueue_sync

BusinessSeconds = Callable[[datetime, datetime], float]
EpisodeMails = Callable[[Conversation, "Episode"], Sequence[OutgoingMail]]


@dataclass(frozen=True)
class Episode:
    conversation_id: str
    number: int
    opened_at: datetime
    opened_by: str
    bot_answers: int
    bot_misses: int
    handoff_at: datetime | None
    handoff_reason: str | None
    queued_at: datetime | None
    first_assigned_at: datetime | None
    first_agent_id: str | None
    first_team_id: str | None
    first_response_at: datetime | None
    first_response_seconds: float | None
    first_response_business_seconds: float | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolved_by_agent_id: str | None
    self_served: bool | None
    rating: int | None
    rating_comment: str | None
    rated_at: datetime | None
    transcript_to: str | None


@dataclass(frozen=True)
class Event:
    """One measured moment as stored (``id`` grows in commit order)."""

    id: int
    conversation_id: str
    episode: int
    type: str
    at: datetime
    actor_kind: str | None
    actor_id: str | None
    agent_id: str | None
    team_id: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Moment:
    """An event to append: what happened, who did it, which agent and team it concerns."""

    type: str
    actor_kind: str | None = None
    actor_id: str | None = None
    agent_id: str | None = None
    team_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One step of a conversation's life, applied in one transaction by ``apply``.

    ``first`` values are written together, and only while the episode has no value yet for
    the first of them (the first assignment, the first handoff). ``opens_episode`` names who
    starts the next episode (a reopen); the step's other values then apply to that episode.
    ``assigns`` is the agent the step gives the conversation to: the episode's first
    assignment (time, agent, the conversation's team) is set if it has none, and the agent's
    ``last_assigned_at`` (the router's longest-idle tie-break) moves. ``bot`` counts the bot's
    turn in the episode: ``answered`` confidently or ``missed``. ``mails`` go into the outbox in
    the same transaction (docs/mail.md): the change and its mail happen together or not at all.
    ``episode_mails`` are mails that depend on the episode as this change leaves it (read with
    its row locked, so two changes racing each other cannot both miss it): the transcript.
    """

    moments: tuple[Moment, ...]
    only_if_status: tuple[str, ...] = ()
    conversation: Mapping[str, Any] = field(default_factory=dict)
    episode: Mapping[str, Any] = field(default_factory=dict)
    first: Mapping[str, Any] = field(default_factory=dict)
    only_if_assignee: str | None = None
    opens_episode: str | None = None
    assigns: str | None = None
    bot: Literal["answered", "missed"] | None = None
    mails: tuple[OutgoingMail, ...] = ()
    episode_mails: EpisodeMails | None = None


@dataclass(frozen=True)
class Changed:
    conversation: Conversation
    episode: Episode


async def apply(db: Database, conversation_id: str, change: Change) -> Changed | None:
    """Apply ``change``; None when the conversation was not in ``only_if_status``."""
    async with db.transaction() as conn:
        return await apply_in(conn, conversation_id, change)


async def apply_in(conn: AsyncConnection, conversation_id: str, change: Change) -> Changed | None:
    """``apply`` inside a transaction the caller holds (a label stored with its event)."""
    now = clock.now()
    condition = conversations.c.id == conversation_id
    if change.only_if_status:
        condition = and_(condition, conversations.c.status.in_(change.only_if_status))
    if change.only_if_assignee is not None:
        condition = and_(condition, conversations.c.assignee_id == change.only_if_assignee)
    values: dict[str, Any] = dict(change.conversation)
    if change.opens_episode is not None:
        values["episode"] = conversations.c.episode + 1
    if values:  # a step that only records (a label) leaves the row, and its activity time, alone
        statement: Any = (
            update(conversations)
            .where(condition)
            .values(updated_at=now, **values)
            .returning(*conversations.c)
        )
    else:
        statement = select(conversations).where(condition)
    row = (await conn.execute(statement)).first()
    if row is None:
        return None
    conversation = record(Conversation, row._mapping)
    number = conversation.episode
    if change.opens_episode is not None:
        await conn.execute(
            insert(conversation_episodes).values(
                conversation_id=conversation_id,
                number=number,
                opened_at=now,
                opened_by=change.opens_episode,
                bot_answers=0,
                bot_misses=0,
            )
        )
    firsts = [change.first]
    if change.assigns is not None:
        firsts.append(
            {
                "first_assigned_at": now,
                "first_agent_id": change.assigns,
                "first_team_id": conversation.team_id,
            }
        )
        await conn.execute(
            update(agents).where(agents.c.id == change.assigns).values(last_assigned_at=now)
        )
    episode = await _update_episode(conn, conversation_id, number, change, firsts)
    if change.moments:  # a moment's team is, unless it says otherwise, the conversation's
        moments = [
            moment if moment.team_id else replace(moment, team_id=conversation.team_id)
            for moment in change.moments
        ]
        await conn.execute(
            insert(conversation_events),
            [_event_row(conversation_id, number, now, moment) for moment in moments],
        )
    mails = list(change.mails)
    if change.episode_mails is not None:
        mails.extend(change.episode_mails(conversation, episode))
    await enqueue_in(conn, mails)
    return Changed(conversation, episode)


async def _update_episode(
    conn: AsyncConnection,
    conversation_id: str,
    number: int,
    change: Change,
    firsts: list[Mapping[str, Any]],
) -> Episode:
    this_episode = and_(
        conversation_episodes.c.conversation_id == conversation_id,
        conversation_episodes.c.number == number,
    )
    values: dict[str, Any] = dict(change.episode)
    if change.bot is not None:
        counter = conversation_episodes.c[
            "bot_answers" if change.bot == "answered" else "bot_misses"
        ]
        values[counter.name] = counter + 1
    for first in filter(None, firsts):  # each group is set together, judged by its first key
        guard = conversation_episodes.c[next(iter(first))].is_(None)
        for name, value in first.items():
            values[name] = case((guard, value), else_=conversation_episodes.c[name])
    if values:
        statement = (
            update(conversation_episodes)
            .where(this_episode)
            .values(values)
            .returning(*conversation_episodes.c)
        )
        row = (await conn.execute(statement)).one()
    else:
        row = (await conn.execute(select(conversation_episodes).where(this_episode))).one()
    return record(Episode, row._mapping)


def _event_row(conversation_id: str, episode: int, at: datetime, moment: Moment) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "episode": episode,
        "type": moment.type,
        "at": at,
        "actor_kind": moment.actor_kind,
        "actor_id": moment.actor_id,
        "agent_id": moment.agent_id,
        "team_id": moment.team_id,
        "data": dict(moment.data),
    }


# --- the hot path: an agent's reply, inside the message append's shared transaction ---------
# Statements built once, like the append's own (store/messages.py).

_THIS_EPISODE = and_(
    conversation_episodes.c.conversation_id == bindparam("this_conversation"),
    conversation_episodes.c.number == bindparam("this_number"),
)
_TAKE_FIRST_RESPONSE = (
    update(conversation_episodes)
    .where(_THIS_EPISODE, conversation_episodes.c.first_response_at.is_(None))
    .values(first_response_at=bindparam("at"))
    .returning(conversation_episodes.c.queued_at, conversation_episodes.c.opened_at)
)
_FIRST_RESPONSE_WAITS = (
    update(conversation_episodes)
    .where(_THIS_EPISODE)
    .values(
        first_response_seconds=bindparam("seconds"),
        first_response_business_seconds=bindparam("business_seconds"),
    )
)
_INSERT_EVENT = insert(conversation_events)


def record_agent_reply(
    conn: Connection,
    conversation: Conversation,
    *,
    agent_id: str | None,
    at: datetime,
    business_seconds: BusinessSeconds | None,
    reply_use: Mapping[str, Any] | None = None,
    mail_after: timedelta | None = None,
) -> None:
    """``agent_reply`` (with ``reply_use``: the saved reply and variant the text came from), and
    on the episode's first reply ``first_response`` with its waits.

    The wait runs from the handoff (when the visitor asked for a person) or, for an agent who
    wrote first, from the episode's opening; inside business hours too when they are known.
    With ``mail_after``, the reply digest is scheduled that long after (one pending digest per
    conversation: later replies join it), to be sent if the visitor has not seen them by then.
    """
    key = {"this_conversation": conversation.id, "this_number": conversation.episode}

    def moment(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
        concerns = Moment(
            kind,
            actor_kind="agent",
            actor_id=agent_id,
            agent_id=agent_id,
            team_id=conversation.team_id,
            data=data,
        )
        return _event_row(conversation.id, conversation.episode, at, concerns)

    rows = [moment("agent_reply", reply_use or {})]
    first = conn.execute(_TAKE_FIRST_RESPONSE, {**key, "at": at}).first()
    if first is not None:
        since = clock.as_utc(first.queued_at or first.opened_at)
        waits = {
            "seconds": max(0.0, (at - since).total_seconds()),
            "business_seconds": None if business_seconds is None else business_seconds(since, at),
        }
        conn.execute(_FIRST_RESPONSE_WAITS, {**key, **waits})
        rows.append(moment("first_response", waits))
    conn.execute(_INSERT_EVENT, rows)
    if mail_after is not None:
        digest = OutgoingMail(
            "reply_digest",
            conversation_id=conversation.id,
            due_at=at + mail_after,
            dedupe_key=f"reply_digest:{conversation.id}",
        )
        enqueue_sync(conn, [digest])


# --- reading ------------------------------------------------------------------------------


async def current_episodes(db: Database, conversation_ids: list[str]) -> dict[str, Episode]:
    """Each conversation's current episode, for summaries."""
    if not conversation_ids:
        return {}
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(conversation_episodes)
                .join(
                    conversations,
                    and_(
                        conversations.c.id == conversation_episodes.c.conversation_id,
                        conversations.c.episode == conversation_episodes.c.number,
                    ),
                )
                .where(conversations.c.id.in_(conversation_ids))
            )
        ).mappings()
        return {row["conversation_id"]: record(Episode, row) for row in rows}


async def episodes_of(db: Database, conversation_id: str) -> list[Episode]:
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(conversation_episodes)
                .where(conversation_episodes.c.conversation_id == conversation_id)
                .order_by(conversation_episodes.c.number)
            )
        ).mappings()
        return [record(Episode, row) for row in rows]


async def events_of(db: Database, conversation_id: str) -> list[Event]:
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(conversation_events)
                .where(conversation_events.c.conversation_id == conversation_id)
                .order_by(conversation_events.c.id)
            )
        ).mappings()
        return [record(Event, row) for row in rows]
