"""The whole round trip with real mail servers on loopback: an offline visitor's question, the
agent's reply mailed to them, the link in it, their reply by mail shown live in the console."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest
from PIL import Image

from parley.config import Settings
from tests.conftest import PASSWORD, serving
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import ChatClient, agent_client, agent_token, new_visitor, visitor_client
from tests.support.live_server import free_port
from tests.support.smtp import MailSink, smtp_sink, text_of

RELAY_SECRET = "relay-secret-0123456789"
RELAY = {"authorization": f"Bearer {RELAY_SECRET}"}


@dataclass
class MailSite:
    url: str
    sink: MailSink
    listen_port: int


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[MailSite]:
    listen_port = free_port()
    async with smtp_sink() as sink:
        port = free_port()
        configured = settings.with_overrides(
            smtp_url=sink.url,
            mail_from="help@shop.test",
            public_url=f"http://127.0.0.1:{port}",
            mail_unseen_minutes=0,
            mail_listen=f"smtp://127.0.0.1:{listen_port}",
            inbound_mail_secret=RELAY_SECRET,
        )
        async with serving(configured, port) as live:
            yield MailSite(live.url, sink, listen_port)


async def offline_question(url: str) -> tuple[str, str]:
    """A visitor asks for a person with nobody online, leaves an email, and goes away."""
    token = await new_visitor(url, name="Vera", page_url="https://shop.test/pricing")
    visitor, _ = await visitor_client(url, token)
    await visitor.say("My router keeps dropping the connection")
    await visitor.send({"type": "handoff"})
    status = await visitor.expect("status", status="queued")
    await visitor.send({"type": "contact", "email": "vera@example.com"})
    await visitor.expect("message", within=5.0, author={"kind": "system", "name": None, "id": None})
    await visitor.close()
    return token, status["conversation_id"]


async def agent_on(url: str, make_agent: Callable[..., Awaitable[str]]) -> ChatClient:
    email = await make_agent("Ann")
    agent, _ = await agent_client(url, await agent_token(url, email, PASSWORD))
    return agent


def reply_to(original: EmailMessage, text: str, *, to: str | None = None) -> EmailMessage:
    """What a mail program sends back: the new words, then the quoted original."""
    reply = EmailMessage()
    reply["From"] = "Vera <vera@example.com>"
    reply["To"] = to or str(original["Reply-To"])
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["In-Reply-To"] = str(original["Message-ID"])
    reply["Message-ID"] = "<reply-1@example.com>"
    quoted = "\n".join("> " + line for line in text_of(original).splitlines())
    reply.set_content(f"{text}\n\nOn Mon, 7 Dec 2026 at 10:00, Support wrote:\n{quoted}\n")
    return reply


async def test_the_reply_goes_by_mail_and_the_answer_comes_back_live(
    site: MailSite, make_agent: Callable[..., Awaitable[str]]
) -> None:
    _, conversation_id = await offline_question(site.url)
    agent = await agent_on(site.url, make_agent)
    await agent.send(
        {
            "type": "message",
            "conversation_id": conversation_id,
            "client_id": "a1",
            "text": "Please restart the router and tell me if it helps.",
        }
    )
    await agent.expect("ack", client_id="a1")

    (mail,) = await site.sink.wait_for(1)
    assert mail.recipients == ["vera@example.com"]
    assert "Please restart the router" in text_of(mail.message)
    reply_address = str(mail.message["Reply-To"])
    assert re.fullmatch(r"reply\+cnv_[0-9a-f]{20}\.[a-z2-7]{26}@shop\.test", reply_address)
    link = re.search(r"http://127\.0\.0\.1:\d+/mail/open\?token=\S+", text_of(mail.message))
    assert link is not None
    async with httpx.AsyncClient() as http:
        opened = await http.get(link.group(0))
    assert opened.status_code == 303
    assert opened.headers["location"] == "https://shop.test/pricing#parley-chat"

    answer = reply_to(mail.message, "Restarted it, works now. Thanks!")
    await aiosmtplib.send(answer, hostname="127.0.0.1", port=site.listen_port)
    shown = await agent.expect("message", conversation_id=conversation_id, via="email", within=20)
    assert shown["text"] == "Restarted it, works now. Thanks!"
    assert shown["author"]["kind"] == "visitor"
    await agent.close()


async def test_a_forged_or_foreign_reply_address_is_refused_and_stores_nothing(
    site: MailSite, make_agent: Callable[..., Awaitable[str]]
) -> None:
    token, conversation_id = await offline_question(site.url)
    agent = await agent_on(site.url, make_agent)
    await agent.send(
        {"type": "message", "conversation_id": conversation_id, "client_id": "a1", "text": "Hi"}
    )
    (mail,) = await site.sink.wait_for(1)
    genuine = str(mail.message["Reply-To"])
    local, domain = genuine.split("@")
    forged_mac = local[:-4] + ("aaaa" if not local.endswith("aaaa") else "bbbb")
    other_id = "reply+cnv_" + "0" * 20 + "." + local.split(".")[1]  # a real MAC, wrong conversation
    for address in (f"{forged_mac}@{domain}", f"{other_id}@{domain}", f"help@{domain}"):
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await aiosmtplib.send(
                reply_to(mail.message, "sneaky", to=address),
                hostname="127.0.0.1",
                port=site.listen_port,
            )
        async with httpx.AsyncClient(base_url=site.url) as http:
            posted = await http.post(
                "/api/v1/mail/inbound",
                content=reply_to(mail.message, "sneaky", to=address).as_bytes(),
                headers={"content-type": "message/rfc822", **RELAY},
            )
        assert posted.status_code == 403
        assert posted.json()["error"]["code"] == "bad_reply_token"

    visitor, _ = await visitor_client(site.url, token, last_seq=0)
    replay = [frame for frame in await visitor.collect(0.5) if frame["type"] == "message"]
    assert not [frame for frame in replay if "sneaky" in frame["text"]]
    seen_by_agent = await agent.collect(0.3)
    assert all("sneaky" not in frame.get("text", "") for frame in seen_by_agent)
    await visitor.close()
    await agent.close()


async def test_the_http_endpoint_takes_a_raw_reply_once(
    site: MailSite, make_agent: Callable[..., Awaitable[str]]
) -> None:
    _, conversation_id = await offline_question(site.url)
    agent = await agent_on(site.url, make_agent)
    await agent.send(
        {"type": "message", "conversation_id": conversation_id, "client_id": "a1", "text": "Hi"}
    )
    (mail,) = await site.sink.wait_for(1)
    raw = reply_to(mail.message, "Posted by the relay").as_bytes()
    async with httpx.AsyncClient(base_url=site.url) as http:
        first = await http.post("/api/v1/mail/inbound", content=raw, headers=RELAY)
        again = await http.post("/api/v1/mail/inbound", content=raw, headers=RELAY)  # a retry
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    shown = await agent.expect("message", conversation_id=conversation_id, via="email", within=20)
    assert shown["text"] == "Posted by the relay"

    with_pictures = reply_to(mail.message, "Here is the screen")
    with_pictures.replace_header("Message-ID", "<reply-2@example.com>")
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(png, "PNG")
    with_pictures.add_attachment(png.getvalue(), maintype="image", subtype="png", filename="a.png")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with_pictures.add_attachment(svg, maintype="image", subtype="svg+xml", filename="b.svg")
    async with httpx.AsyncClient(base_url=site.url) as http:
        posted = await http.post(
            "/api/v1/mail/inbound", content=with_pictures.as_bytes(), headers=RELAY
        )
    assert posted.status_code == 201
    shown = await agent.expect("message", conversation_id=conversation_id, via="email", within=20)
    assert shown["text"] == "Here is the screen"
    (picture,) = shown["attachments"]  # the PNG through the media pipeline; the SVG refused
    assert (picture["content_type"], picture["width"], picture["height"]) == ("image/png", 40, 30)
    await agent.close()


async def test_only_the_relay_with_the_secret_may_post(
    site: MailSite, make_agent: Callable[..., Awaitable[str]]
) -> None:
    token, conversation_id = await offline_question(site.url)
    agent = await agent_on(site.url, make_agent)
    await agent.send(
        {"type": "message", "conversation_id": conversation_id, "client_id": "a1", "text": "Hi"}
    )
    (mail,) = await site.sink.wait_for(1)
    raw = reply_to(mail.message, "Posted by a stranger").as_bytes()
    basic = base64.b64encode(f"relay:{RELAY_SECRET}".encode()).decode()
    async with httpx.AsyncClient(base_url=site.url) as http:
        for wrong in (
            {},
            {"authorization": "Bearer relay-secret-0123456788"},
            {"authorization": f"Bearer {RELAY_SECRET[:-1]}"},
            {"authorization": RELAY_SECRET},
            {"authorization": "Basic " + base64.b64encode(b"relay:nope").decode()},
            {"authorization": "Basic !!not-base64"},
        ):
            refused = await http.post("/api/v1/mail/inbound", content=raw, headers=wrong)
            assert refused.status_code == 401, wrong
            assert refused.json()["error"]["code"] == "bad_relay_secret"
        visitor, _ = await visitor_client(site.url, token, last_seq=0)
        replay = [frame for frame in await visitor.collect(0.5) if frame["type"] == "message"]
        assert not [frame for frame in replay if "stranger" in frame["text"]]
        await visitor.close()

        # What relay services do: the secret as the password in the URL they post to.
        posted = await http.post(
            "/api/v1/mail/inbound", content=raw, headers={"authorization": f"Basic {basic}"}
        )
    assert posted.status_code == 201
    shown = await agent.expect("message", conversation_id=conversation_id, via="email", within=20)
    assert shown["text"] == "Posted by a stranger"
    await agent.close()


async def test_without_a_secret_the_endpoint_is_off(client: httpx.AsyncClient) -> None:
    refused = await client.post(
        "/api/v1/mail/inbound", content=b"To: reply+x@shop.test\r\n\r\nhello", headers=RELAY
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "inbound_mail_off"


async def test_an_admin_test_mail_arrives(
    site: MailSite, make_agent: Callable[..., Awaitable[str]]
) -> None:
    admin = await make_agent("Ada", "admin")
    async with httpx.AsyncClient(base_url=site.url) as console:
        csrf = await signed_in_with_csrf(console, admin)
        sent = await console.post("/api/v1/console/admin/mail/test", headers={"x-csrf-token": csrf})
    assert sent.status_code == 202
    (mail,) = await site.sink.wait_for(1)
    assert mail.recipients == [admin]
    assert f"smtp://127.0.0.1:{site.sink.port}".rpartition("/")[2] in text_of(mail.message)
