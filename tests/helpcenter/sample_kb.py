"""A small knowledge base on disk for help-center and KB API tests: two locales, FAQ, a draft,
an image, and files that must never be served."""

from __future__ import annotations

import base64
from pathlib import Path

# A one-pixel transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

ARTICLES = {
    "account/reset-password.md": """\
---
title: Reset your password
slug: reset-password
category: Account & login
tags: [password, login]
locale: en
summary: Forgot your password? Request a reset link and choose a new one.
faq:
  - q: I didn't get the reset email. What now?
    a: Check your **spam** folder; the link expires after one hour.
  - q: Does a reset sign me out of the mobile app?
    a: Yes, everywhere except the browser you used.
---

# Reset your password

You can set a new password from the sign-in page.

## Steps

1. Click **Forgot password?**
2. Enter your email address.

![The reset form](images/reset-form.png)

!!! note
    The reset link works once.

## Change your password while signed in

```python
def change_password(old, new):
    return True
```

### Password rules

| rule | value |
|---|---|
| length | at least 10 |
""",
    "account/two-factor.md": """\
---
title: Two-factor authentication
slug: two-factor
category: Account & login
tags: [2fa, security]
summary: Add a second step to signing in.
---

Turn on two-factor authentication in **Settings → Security**. See also
[resetting your password](reset-password.md).
""",
    "billing/refunds.md": """\
---
title: Refunds
slug: refunds
category: Billing
tags: [refund, money back]
summary: Get your money back within 30 days.
---

Ask for a refund within 30 days of a charge. Refunds reach your card in 5 to 10 days.
""",
    "billing/invoices.md": """\
---
title: Download your invoices
slug: invoices
category: Billing
tags: [invoice, receipt]
summary: Every invoice is a PDF in Settings, Billing.
---

Open **Settings → Billing** and click an invoice to download it as a PDF.
""",
    "pl/resetowanie-hasla.md": """\
---
title: Jak zresetować hasło
slug: pl/resetowanie-hasla
category: Konto i logowanie
tags: [hasło]
locale: pl
summary: Nie pamiętasz hasła? Poproś o link do resetowania.
---

Kliknij **Nie pamiętasz hasła?** na stronie logowania i wpisz swój adres e-mail.
""",
    "drafts/unreleased.md": """\
---
title: Unreleased feature
slug: unreleased
category: Billing
draft: true
summary: Not yet public.
---

Secret plans.
""",
}


def write_sample_kb(kb_dir: Path) -> Path:
    for relative, text in ARTICLES.items():
        path = kb_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (kb_dir / "account" / "images").mkdir(parents=True, exist_ok=True)
    (kb_dir / "account" / "images" / "reset-form.png").write_bytes(PNG)
    (kb_dir / ".private").mkdir(exist_ok=True)
    (kb_dir / ".private" / "hidden.png").write_bytes(PNG)
    (kb_dir / "notes.txt").write_text("not an image", encoding="utf-8")
    (kb_dir / "account" / "fake.svg").write_text("<svg onload=alert(1)></svg>", encoding="utf-8")
    (kb_dir.parent / "outside.png").write_bytes(PNG)
    return kb_dir
