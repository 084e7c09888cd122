"""Known issues: "we will tell you when it is fixed", kept.

An agent links a conversation to a known issue (title, optional tracker URL). Marking the issue
fixed posts one message into every linked conversation (the first fix message stands: marking
it fixed again posts nothing new) and, for a visitor who does not see it in the widget in time,
mails it (``issue_fixed``, written with the link's notification in one transaction). Each link
remembers the seq of that message, which gives the counts: notified, read, replied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from parley import clock
from parley.conversation import access
from parley.conversation.service import ConversationService
from parley.conversation.store import conversation_by_id
from parley.db import Database
from parley.errors import BadRequest, NotFound
from parley.identity.store import Agent
from parley.knownissues import store
from parley.knownissues.store import Counts, KnownIssue, Link
from parley.mail.headers import HeaderInjection, check_header
from parley.mail.store import OutgoingMail

MAX_TITLE = 200
MAX_MESSAGE = 5000


class KnownIssues:
    def __init__(
        self, db: Database, conversations: ConversationService, *, mail_after: timedelta
    ) -> None:
        self.db = db
        self.conversations = conversations
        self.mail_after = mail_after

    async def create(self, agent: Agent, title: str, tracker_url: str | None) -> KnownIssue:
        title, tracker_url = _checked(title, tracker_url)
        return await store.create_issue(
            self.db, title=title, tracker_url=tracker_url, agent_id=agent.id
        )

    async def edit(self, issue_id: str, title: str, tracker_url: str | None) -> KnownIssue:
        """A new title or tracker URL; the fix message, once posted, stays as it was."""
        title, tracker_url = _checked(title, tracker_url)
        edited = await store.update_issue(self.db, issue_id, title=title, tracker_url=tracker_url)
        if edited is None:
            raise NotFound("no such known issue", code="unknown_issue")
        return edited

    async def issue(self, issue_id: str) -> KnownIssue:
        found = await store.issue_by_id(self.db, issue_id)
        if found is None:
            raise NotFound("no such known issue", code="unknown_issue")
        return found

    async def link(self, agent: Agent, issue_id: str, conversation_id: str) -> None:
        """Only a conversation the agent may read can be linked."""
        await self.issue(issue_id)
        conversation = await conversation_by_id(self.db, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation", code="unknown_conversation")
        access.check_may_read(conversation, await access.reader(self.db, agent.id, agent.role))
        await store.link(self.db, issue_id, conversation_id, agent.id)

    async def mark_fixed(self, agent: Agent, issue_id: str, text: str) -> KnownIssue:
        """Fixed, and every linked conversation told once (a crash mid-way is finished by
        marking it fixed again: only the links not yet told are)."""
        text = text.strip()
        if not 1 <= len(text) <= MAX_MESSAGE:
            raise BadRequest(f"the message is 1 to {MAX_MESSAGE} characters", code="bad_message")
        await self.issue(issue_id)
        await store.mark_fixed(self.db, issue_id, agent.id, text)
        issue = await self.issue(issue_id)
        for link in await store.links_of(self.db, issue_id):
            if link.notified_seq is None:
                await self._tell(issue, link.conversation_id)
        return issue

    async def _tell(self, issue: KnownIssue, conversation_id: str) -> None:
        posted = await self.conversations.post(
            conversation_id,
            author_kind="system",
            author_id=None,
            author_name=None,
            text=issue.fix_message or "",
            client_id=f"fixed:{issue.id}",  # a second try stores nothing new
        )
        seq = posted.message.seq
        mail = OutgoingMail(
            "issue_fixed",
            conversation_id=conversation_id,
            due_at=clock.now() + self.mail_after,
            dedupe_key=f"fixed:{issue.id}:{conversation_id}",
            data={"issue_id": issue.id, "seq": seq},
        )
        await store.record_notified(self.db, issue.id, conversation_id, seq, mail)

    async def listing(self) -> list[tuple[KnownIssue, Counts]]:
        return await listing(self.db)

    async def links(self, issue_id: str) -> list[Link]:
        return await store.links_of(self.db, issue_id)

    async def counts(self, issue_id: str) -> Counts:
        return (await store.counts(self.db, [issue_id]))[issue_id]

    async def of_conversation(self, agent: Agent, conversation_id: str) -> list[KnownIssue]:
        """The issues a conversation is linked to, for whoever may read it."""
        conversation = await conversation_by_id(self.db, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation", code="unknown_conversation")
        access.check_may_read(conversation, await access.reader(self.db, agent.id, agent.role))
        return await store.issues_of_conversation(self.db, conversation_id)


@dataclass(frozen=True)
class Report:
    open: int
    fixed: int
    conversations: int
    notified: int
    read: int
    replied: int


async def listing(db: Database) -> list[tuple[KnownIssue, Counts]]:
    """Every issue, newest first, with its counts."""
    issues = await store.list_issues(db)
    counted = await store.counts(db, [issue.id for issue in issues])
    return [(issue, counted[issue.id]) for issue in issues]


async def report(db: Database) -> Report:
    """Every issue's counts added up: the known-issue figures beside the other reports (the
    console's ``…/issues/report`` and ``parley issues list``)."""
    return totals(await listing(db))


def totals(listed: list[tuple[KnownIssue, Counts]]) -> Report:
    """The counts of the issues listed, added up (all of them, or a report period's)."""
    return Report(
        open=sum(issue.status == "open" for issue, _ in listed),
        fixed=sum(issue.status == "fixed" for issue, _ in listed),
        conversations=sum(counts.conversations for _, counts in listed),
        notified=sum(counts.notified for _, counts in listed),
        read=sum(counts.read for _, counts in listed),
        replied=sum(counts.replied for _, counts in listed),
    )


def _checked(title: str, tracker_url: str | None) -> tuple[str, str | None]:
    """A one-line title (it becomes part of mails) and an http(s) tracker URL, or refused."""
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise BadRequest(f"a title is 1 to {MAX_TITLE} characters", code="bad_title")
    try:
        check_header(title)
    except HeaderInjection:
        raise BadRequest("a title is one line of text", code="bad_title") from None
    tracker_url = (tracker_url or "").strip() or None
    if tracker_url is not None and (
        urlsplit(tracker_url).scheme not in {"http", "https"} or len(tracker_url) > 2000
    ):
        raise BadRequest("the tracker URL must be an http(s) address", code="bad_url")
    return title, tracker_url
