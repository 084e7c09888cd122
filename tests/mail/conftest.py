"""The mail tests' lifecycle with a real SMTP server behind it (``tests/mail/mailroom.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from parley.db import Database
from tests.mail.mailroom import Mailroom, mailroom


@pytest.fixture
async def room(db: Database) -> AsyncIterator[Mailroom]:
    async for made in mailroom(db):
        yield made
