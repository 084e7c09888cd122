"""SIGKILL a real ``parley serve`` in the middle of sending a mail that is committed in the
outbox: after a restart the mail is sent, and the SMTP server receives it exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.live_server import LiveServer, parley_env, run_parley
from tests.support.smtp import smtp_sink

LEASE_SECONDS = 2


async def test_a_mail_whose_sender_was_killed_mid_send_is_sent_once_after_a_restart(
    tmp_path: Path,
) -> None:
    async with smtp_sink() as sink:
        env = parley_env(
            data_dir=str(tmp_path / "data"),
            smtp_url=sink.url,
            mail_from="help@shop.test",
            mail_lease_seconds=str(LEASE_SECONDS),
        )
        created = run_parley(
            "agents", "create", "--email", "ada@example.com", "--name", "Ada",
            "--password", PASSWORD, "--role", "admin", env=env, cwd=tmp_path,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        server = LiveServer(env, tmp_path)
        await asyncio.to_thread(server.start)
        try:
            sink.stall = True  # the server never answers DATA: the mail stays in flight
            async with httpx.AsyncClient(base_url=server.url) as console:
                csrf = await signed_in_with_csrf(console, "ada@example.com")
                queued = await console.post(
                    "/api/v1/console/admin/mail/test", headers={"x-csrf-token": csrf}
                )
            assert queued.status_code == 202  # committed in the outbox
            await asyncio.wait_for(sink.stalled.wait(), 30)

            server.kill()  # mid-send: the message's data is out, the answer never came
            sink.stall = False
            await asyncio.sleep(0.2)
            assert sink.received == []

            await asyncio.to_thread(server.start)  # the same data, the same port
            (mail,) = await sink.wait_for(1, within=LEASE_SECONDS + 30)
            assert mail.recipients == ["ada@example.com"]
            assert "Parley test mail" in str(mail.message["Subject"])
            assert str(mail.message["Message-ID"]).endswith("@shop.test>")  # the row's own
            await asyncio.sleep(LEASE_SECONDS * 3)  # long past another lease: no second copy
            assert len(sink.received) == 1
        finally:
            server.stop()
