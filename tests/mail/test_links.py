"""The links in mails, through the app: a rating link opens a confirm page (a mail scanner's
fetch records nothing), its POST lands in the episode once, in the visitor's language; a link
or form altered by hand does nothing. With no mail server configured the
mails wait in the outbox, which is how these tests read them."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from parley import clock
from parley.app import create_app
from parley.config import Settings
from parley.conversation import store
from parley.identity import store as identity_store
from parley.mail import store as outbox
from parley.mail.store import OutboxRow
from parley.services import Services
from tests.support.factories import new_conversation


@dataclass
class App:
    http: httpx.AsyncClient
    services: Services


@pytest.fixture
def unseen_minutes() -> int:
    return 0


@pytest.fixture
async def app(settings: Settings, unseen_minutes: int) -> AsyncIterator[App]:
    made = create_app(settings.with_overrides(mail_unseen_minutes=unseen_minutes))
    async with made.router.lifespan_context(made):
        transport = httpx.ASGITransport(app=made)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield App(http, made.state.services)


async def settled(app: App, kind: str, within: float = 30.0) -> OutboxRow:
    """The newest ``kind`` mail once the worker is done with it (held, cancelled, ...)."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        app.services.mail.wake()
        rows = [row for row in await outbox.recent(app.services.db) if row.kind == kind]
        if rows and rows[0].status not in {"pending", "sending"}:
            return rows[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the worker did not handle the {kind} mail")


async def held(app: App, kind: str) -> OutboxRow:
    mail = await settled(app, kind)
    assert mail.status == "held", mail.last_error
    return mail


async def resolved_conversation(app: App, locale: str = "en") -> str:
    db, life = app.services.db, app.services.lifecycle
    conversation = await new_conversation(db, status="queued", email="vera@example.com")
    await store.update_conversation(db, conversation.id, locale=locale)
    agent = await identity_store.insert_agent(
        db, email=f"{secrets.token_hex(3)}@example.com", name="Ann", password_hash="x", role="agent"
    )
    await life.agent_says(
        conversation.id, agent, text="Fixed.", client_id="a1", attachment_ids=[], internal=False
    )
    await life.resolve(conversation.id, by="agent", agent=agent)
    return conversation.id


def form_of(page: str) -> dict[str, str]:
    """The confirm page's form as a browser would post it: hidden fields, the checked score."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    checked = re.search(r'name="score" value="(\d)" checked', page)
    assert checked is not None, page
    return {**fields, "score": checked.group(1)}


async def test_a_rating_link_asks_to_confirm_and_the_post_rates_the_episode_once(
    app: App,
) -> None:
    conversation_id = await resolved_conversation(app)
    mail = await held(app, "rating_request")
    links = re.findall(r"http://127\.0\.0\.1:8000(/mail/rate\?\S+)", mail.text_body or "")
    assert [link.rsplit("=", 1)[1] for link in links] == ["1", "2", "3", "4", "5"]

    for link in links:  # a mail scanner fetches every link before the visitor reads the mail
        scanned = await app.http.get(link)
        assert scanned.status_code == 200
    (episode,) = await store.episodes_of(app.services.db, conversation_id)
    assert episode.rating is None

    page = await app.http.get(links[3])  # the visitor clicks "4"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    form = form_of(page.text)
    assert form["score"] == "4"
    assert '<form method="post" action="/mail/rate">' in page.text
    posted = await app.http.post("/mail/rate", data={**form, "comment": "Quick and kind"})
    assert posted.status_code == 200
    assert "Thank you" in posted.text
    again = await app.http.post("/mail/rate", data={**form, "score": "1"})  # changes nothing
    assert again.status_code == 200
    (episode,) = await store.episodes_of(app.services.db, conversation_id)
    assert (episode.rating, episode.rating_comment) == (4, "Quick and kind")
    events = await store.events_of(app.services.db, conversation_id)
    assert [event.data["score"] for event in events if event.type == "rated"] == [4]
    assert "checked" not in (await app.http.get(links[0])).text  # rated: no form any more


async def test_the_visitor_may_change_the_score_before_confirming(app: App) -> None:
    conversation_id = await resolved_conversation(app)
    mail = await held(app, "rating_request")
    link = re.findall(r"http://127\.0\.0\.1:8000(/mail/rate\?\S+)", mail.text_body or "")[4]
    form = form_of((await app.http.get(link)).text)
    assert (await app.http.post("/mail/rate", data={**form, "score": "2"})).status_code == 200
    (episode,) = await store.episodes_of(app.services.db, conversation_id)
    assert episode.rating == 2


async def test_a_post_without_the_pages_token_records_nothing(app: App) -> None:
    conversation_id = await resolved_conversation(app)
    mail = await held(app, "rating_request")
    link = re.findall(r"http://127\.0\.0\.1:8000(/mail/rate\?\S+)", mail.text_body or "")[4]
    link_token = re.search(r"token=([^&]+)", link)
    assert link_token is not None
    form = form_of((await app.http.get(link)).text)
    cross_site = {"origin": "https://evil.test"}
    for forged, status in (
        ({"episode": "1", "score": "1"}, 404),  # no token: what another site could post
        ({**form, "token": link_token.group(1)}, 404),  # the link's token is not the form's
        ({**form, "episode": "2"}, 404),
        ({**form, "token": form["token"][:-2] + "aa"}, 404),
        ({**form, "score": "9"}, 400),
        ({**form, "comment": "x" * 2001}, 400),
    ):
        refused = await app.http.post("/mail/rate", data=forged, headers=cross_site)
        assert refused.status_code == status, forged
    too_big = await app.http.post("/mail/rate", content=b"a=" + b"x" * 20000)
    assert too_big.status_code == 413
    (episode,) = await store.episodes_of(app.services.db, conversation_id)
    assert episode.rating is None


async def test_an_altered_rating_link_does_nothing(app: App) -> None:
    conversation_id = await resolved_conversation(app)
    mail = await held(app, "rating_request")
    link = re.findall(r"http://127\.0\.0\.1:8000(/mail/rate\?\S+)", mail.text_body or "")[0]
    token = re.search(r"token=([^&]+)", link)
    assert token is not None
    for forged in (
        f"/mail/rate?token={token.group(1)}&episode=1&score=5",  # another score
        f"/mail/rate?token={token.group(1)}&episode=2&score=1",  # another episode
        "/mail/rate?token=cnv_00000000000000000000.aaaa&episode=1&score=1",
        "/mail/rate?episode=x&score=1",
    ):
        response = await app.http.get(forged)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "bad_link"
    (episode_row,) = await store.episodes_of(app.services.db, conversation_id)
    assert episode_row.rating is None


@pytest.mark.parametrize(
    ("locale", "subject", "thanks"),
    [
        ("pl", "Jak nam poszło?", "Dziękujemy!"),
        ("sl", "Kako smo se odrezali?", "Hvala!"),
    ],
)
async def test_mails_and_pages_speak_the_conversation_language(
    app: App, locale: str, subject: str, thanks: str
) -> None:
    await resolved_conversation(app, locale)
    mail = await held(app, "rating_request")
    assert mail.subject == subject
    assert f'<html lang="{locale}">' in (mail.html_body or "")
    link = re.findall(r"http://127\.0\.0\.1:8000(/mail/rate\?\S+)", mail.text_body or "")[4]
    page = await app.http.get(link)
    assert f'<html lang="{locale}">' in page.text
    assert thanks in (await app.http.post("/mail/rate", data=form_of(page.text))).text


@pytest.mark.parametrize("unseen_minutes", [5])
async def test_a_rating_given_in_the_widget_cancels_the_mail(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation_id = await resolved_conversation(app)
    conversation = await app.services.lifecycle.conversation(conversation_id)
    await app.services.lifecycle.rate(conversation, 5, None)
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(minutes=6))
    mail = await settled(app, "rating_request")
    assert (mail.status, mail.last_error) == ("cancelled", "the visitor rated it in the widget")
