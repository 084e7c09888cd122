"""What each kind of mail says, decided when it is due (not when it was queued).

A reply digest written five minutes after the reply holds every agent reply the visitor has
not read by then, and says nothing (``Cancel``) if they read them in the widget meanwhile; a
rating request is dropped once the episode is rated or reopened. Words come from ``texts.py``,
layout from the Jinja2 templates, HTML escaped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from parley import clock
from parley.config import Settings
from parley.conversation.store import conversation_by_id, current_episodes, read_since
from parley.conversation.store.conversations import Conversation
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Visitor
from parley.knownissues.store import issue_by_id
from parley.mail import store
from parley.mail.headers import check_header
from parley.mail.store import Composed, MailableAgent, OutboxRow
from parley.mail.texts import texts_for
from parley.mail.tokens import MailTokens

SCORES = (1, 2, 3, 4, 5)
TRANSCRIPT_MESSAGES = 500  # the transcript holds the conversation's last this many messages


@dataclass(frozen=True)
class Cancel:
    """Nothing to send after all (read meanwhile, rated, no address): why, for the console."""

    reason: str


Composer = Callable[[OutboxRow], Awaitable[Composed | Cancel]]


class MailComposer:
    def __init__(self, db: Database, settings: Settings, tokens: MailTokens) -> None:
        self.db = db
        self.settings = settings
        self.tokens = tokens
        self.domain = settings.mail_from.rpartition("@")[2]
        self._templates = Environment(
            loader=FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._composers: dict[str, Composer] = {
            "reply_digest": self._reply_digest,
            "rating_request": self._rating_request,
            "waiting": self._waiting,
            "issue_fixed": self._issue_fixed,
            "transcript": self._transcript,
            "sla_breached": self._sla_breached,
        }

    async def compose(self, row: OutboxRow) -> Composed | Cancel:
        composer = self._composers.get(row.kind)
        if composer is None:
            return Cancel(f"no composer for {row.kind!r}")
        return await composer(row)

    def render(self, name: str, **context: Any) -> tuple[str, str]:
        """(plain text, HTML) of template ``name``."""
        text = self._templates.get_template(f"{name}.txt").render(**context)
        html = self._templates.get_template(f"{name}.html").render(**context)
        return text, html

    def page(self, name: str, **context: Any) -> str:
        """A small HTML page a mail's link opens (the rating's confirm page), escaped."""
        return self._templates.get_template(f"{name}.html").render(**context)

    def test_mail(self, recipient: str, name: str) -> Composed:
        """Words known at once: Admin → Mail's "Send a test mail" (and the benchmark's mails)."""
        server = self.settings.smtp_url.rpartition("@")[2] if self.settings.smtp_url else "none"
        subject = "Parley test mail"
        text, html = self.render(
            "test",
            subject=subject,
            lang="en",
            t=texts_for("en"),
            sent_at=clock.iso(clock.now()),
            server=server,
        )
        return Composed(recipient, subject, text, html, None, {"to_name": name})

    def url(self, path: str) -> str:
        return f"{self.settings.base_url}{path}"

    def open_url(self, conversation_id: str) -> str:
        """The "continue the conversation" link. Tokens ride in the query string, which the
        access log never writes (DESIGN: tokens never appear in logs)."""
        return self.url(f"/mail/open?token={self.tokens.sign('open', conversation_id)}")

    # --- to visitors ----------------------------------------------------------------------

    async def _visitor_side(self, row: OutboxRow) -> tuple[Conversation, Visitor, str] | Cancel:
        conversation = await conversation_by_id(self.db, row.conversation_id or "")
        if conversation is None:
            return Cancel("the conversation is gone")
        visitor = await identity_store.visitor_by_id(self.db, conversation.visitor_id)
        address = (visitor.email if visitor else None) or conversation.offline_email
        if visitor is None or not address:
            return Cancel("the visitor left no email address")
        return conversation, visitor, address

    def _visitor_mail(
        self,
        conversation: Conversation,
        visitor: Visitor,
        address: str,
        subject: str,
        name: str,
        context: dict[str, Any],
        data: dict[str, Any] | None = None,
    ) -> Composed:
        check_header(subject)
        check_header(visitor.name or "")
        lang = (conversation.locale or "en").split("-")[0]
        text, html = self.render(name, subject=subject, lang=lang, **context)
        return Composed(
            recipient=address,
            subject=subject,
            text_body=text,
            html_body=html,
            reply_to=self.tokens.reply_address(conversation.id, self.domain),
            data={"to_name": visitor.name or "", **(data or {})},
        )

    async def _reply_digest(self, row: OutboxRow) -> Composed | Cancel:
        found = await self._visitor_side(row)
        if isinstance(found, Cancel):
            return found
        conversation, visitor, address = found
        through = max(
            conversation.visitor_read_seq,
            await store.mailed_through(self.db, conversation.id, "reply_digest"),
        )
        unseen = await read_since(self.db, conversation.id, through, include_internal=False)
        replies = [message for message in unseen if message.author_kind == "agent"]
        if not replies:
            return Cancel("the visitor saw the replies in the widget")
        t = texts_for(conversation.locale)
        shown = [
            {
                "author": message.author_name or "",
                "text": message.text or (t["image"] if message.attachment_ids else ""),
            }
            for message in replies
        ]
        agent = replies[-1].author_name or ""
        return self._visitor_mail(
            conversation,
            visitor,
            address,
            t["reply_subject"].format(agent=agent),
            "reply_digest",
            {
                "t": t,
                "messages": shown,
                "open_url": self.open_url(conversation.id),
            },
            {"through_seq": max(message.seq for message in unseen)},
        )

    async def _rating_request(self, row: OutboxRow) -> Composed | Cancel:
        found = await self._visitor_side(row)
        if isinstance(found, Cancel):
            return found
        conversation, visitor, address = found
        episode = (await current_episodes(self.db, [conversation.id])).get(conversation.id)
        if conversation.status != "resolved" or episode is None:
            return Cancel("the conversation was reopened")
        if episode.number != row.data.get("episode"):
            return Cancel("a later episode began")
        if episode.rating is not None:
            return Cancel("the visitor rated it in the widget")
        t = texts_for(conversation.locale)
        rating_urls = [
            (
                score,
                self.url(
                    f"/mail/rate?token={self.tokens.rating(conversation.id, episode.number, score)}"
                    f"&episode={episode.number}&score={score}"
                ),
            )
            for score in SCORES
        ]
        return self._visitor_mail(
            conversation,
            visitor,
            address,
            t["rating_subject"],
            "rating_request",
            {"t": t, "rating_urls": rating_urls},
        )

    async def _issue_fixed(self, row: OutboxRow) -> Composed | Cancel:
        found = await self._visitor_side(row)
        if isinstance(found, Cancel):
            return found
        conversation, visitor, address = found
        seq = int(row.data.get("seq", 0))
        if conversation.visitor_read_seq >= seq:
            return Cancel("the visitor read it in the widget")
        issue = await issue_by_id(self.db, str(row.data.get("issue_id", "")))
        if issue is None:
            return Cancel("the known issue is gone")
        t = texts_for(conversation.locale)
        return self._visitor_mail(
            conversation,
            visitor,
            address,
            t["fixed_subject"].format(title=issue.title),
            "issue_fixed",
            {
                "t": t,
                "text": issue.fix_message or "",
                "open_url": self.open_url(conversation.id),
            },
        )

    async def _transcript(self, row: OutboxRow) -> Composed | Cancel:
        """The conversation as it stood at the resolve, to the address the visitor gave."""
        conversation = await conversation_by_id(self.db, row.conversation_id or "")
        if conversation is None:
            return Cancel("the conversation is gone")
        visitor = await identity_store.visitor_by_id(self.db, conversation.visitor_id)
        address = str(row.data.get("to", ""))
        if visitor is None or not address:
            return Cancel("the visitor left no email address")
        through = int(row.data.get("through_seq", conversation.last_seq))
        said = await read_since(
            self.db,
            conversation.id,
            max(0, through - TRANSCRIPT_MESSAGES),
            include_internal=False,
            limit=TRANSCRIPT_MESSAGES,
        )
        t = texts_for(conversation.locale)
        shown = [
            {
                "author": t["you"]
                if message.author_kind == "visitor"
                else (message.author_name or ""),
                "system": message.author_kind == "system",
                "at": message.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "text": message.text or (t["image"] if message.attachment_ids else ""),
            }
            for message in said
            if message.seq <= through
        ]
        return self._visitor_mail(
            conversation,
            visitor,
            address,
            t["transcript_subject"],
            "transcript",
            {"t": t, "messages": shown, "open_url": self.open_url(conversation.id)},
        )

    # --- to agents ------------------------------------------------------------------------

    async def _sla_breached(self, row: OutboxRow) -> Composed | Cancel:
        """A response target was missed (escalation by mail): to each of the team's agents."""
        agent = await store.mailable_agent(self.db, row.agent_id or "")
        if agent is None:
            return Cancel("the agent turned mail off")
        conversation = await conversation_by_id(self.db, row.conversation_id or "")
        if conversation is None or conversation.status == "resolved":
            return Cancel("the conversation was resolved")
        visitor = await identity_store.visitor_by_id(self.db, conversation.visitor_id)
        what = "first" if row.data.get("kind") == "first" else "next"
        subject = f"Missed: the {what}-response target {row.data.get('target', '')}"
        check_header(subject)
        return self._agent_mail(
            agent,
            subject,
            "sla_breached",
            what=what,
            target=row.data.get("target", ""),
            minutes=row.data.get("minutes", 0),
            visitor=(visitor.name if visitor else None) or "A visitor",
        )

    async def _waiting(self, row: OutboxRow) -> Composed | Cancel:
        agent = await store.mailable_agent(self.db, row.agent_id or "")
        if agent is None:
            return Cancel("the agent turned mail off")
        conversation = await conversation_by_id(self.db, row.conversation_id or "")
        if conversation is None or conversation.status != "queued":
            return Cancel("someone took the conversation")
        visitor = await identity_store.visitor_by_id(self.db, conversation.visitor_id)
        name = (visitor.name if visitor else None) or "A visitor"
        messages = await read_since(self.db, conversation.id, 0, include_internal=False)
        said = [message.text for message in messages if message.author_kind == "visitor"]
        preview = said[-1][:300] if said else ""
        return self._agent_mail(
            agent,
            "A conversation is waiting and nobody is online",
            "waiting",
            minutes=self.settings.mail_waiting_minutes,
            visitor=name,
            preview=preview,
        )

    def _agent_mail(
        self, agent: MailableAgent, subject: str, template: str, **context: Any
    ) -> Composed:
        """A mail to an agent: in English (agents' mails are not translated), with the console."""
        check_header(agent.name)
        text, html = self.render(
            template,
            subject=subject,
            lang="en",
            t=texts_for("en"),
            console_url=self.url("/console"),
            **context,
        )
        return Composed(
            recipient=agent.email,
            subject=subject,
            text_body=text,
            html_body=html,
            reply_to=None,
            data={"to_name": agent.name},
        )
