"""A small help center written into tmp_path for each test, and the KB opened on it."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.knowledge import KnowledgeBase

EVALDATA_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "evaldata" / "corpora"

SAMPLE = {
    "account/reset-password.md": """
        ---
        title: Reset your password
        category: Account & login
        tags: [password, login]
        summary: Request a reset link by email and choose a new password.
        faq:
          - q: I didn't get the reset email. What now?
            a: Check your **spam** folder; links expire after one hour.
          - q: Can I reuse an old password?
            a: No, pick one you have not used before.
        ---

        # Reset your password

        Forgot your password? Click **Forgot password** on the sign-in page and follow the
        link we email you.

        ## If the link expired

        Request a new one: each link works once.
        """,
    "billing/refunds.md": """
        ---
        title: Refunds
        category: Billing
        tags: [refund, money back]
        ---

        We refund the unused part of a yearly plan within 30 days of purchase.
        Write to us from the billing page and mention the invoice number.
        """,
    "billing/invoices.md": """
        ---
        title: Download invoices
        category: Billing
        ---

        Every invoice is in Settings, Billing, Invoices. Download it as a PDF or CSV file.
        """,
    "integrations/webhooks.md": """
        ---
        title: Webhooks
        category: Integrations
        ---

        Webhooks send an HTTP POST to your server when an invoice is paid. The payload is
        JSON; verify the `X-Signature` header before trusting it. Templates may contain the
        literal tag `<b>` for bold text.
        """,
    "pl/zwrot.md": """
        ---
        title: Zwrot pieniędzy
        slug: pl/zwrot-pieniedzy
        locale: pl
        category: Płatności
        ---

        Zwracamy niewykorzystaną część planu rocznego w ciągu 30 dni od zakupu.
        """,
}


def write(kb_dir: Path, relative: str, text: str) -> Path:
    """Write one article (dedented, so tests can indent their Markdown)."""
    path = kb_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    for relative, text in SAMPLE.items():
        write(root, relative, text)
    return root


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kb_index"


@pytest.fixture
def kb(kb_dir: Path, index_dir: Path) -> Iterator[KnowledgeBase]:
    knowledge = KnowledgeBase.open(kb_dir, index_dir)
    yield knowledge
    knowledge.close()


def corpus_file(relative: str) -> Path:
    """A real third-party article from ../shared/evaldata (read in place, never copied)."""
    path = EVALDATA_CORPORA / relative
    if not path.is_file():
        pytest.skip(f"evaluation corpora not available at {EVALDATA_CORPORA}")
    return path
