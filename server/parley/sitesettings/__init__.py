"""What an admin edits in the console: the site's identity (name, logo, link, bot name), the
widget's look, who may embed it, the identity secret and business hours.

A row in ``site_settings`` overrides the environment's value of the same key; without a row the
``PARLEY_*`` setting (or, for the widget's look, the widget's own default) holds. Values are
checked with the environment's own parsers (``config.SETTINGS_TABLE``, ``routing/hours.py``),
so an admin can save exactly what the environment could have said.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from parley.config import SETTINGS_TABLE, Settings
from parley.errors import BadRequest
from parley.routing.hours import BusinessHours, parse_business_hours

logger = logging.getLogger(__name__)

# The languages of widget/locales/, each named in itself (for the admin's choices).
LOCALE_NAMES = {"en": "English", "pl": "Polski", "sl": "Slovenščina"}
WIDGET_LOCALES = tuple(LOCALE_NAMES)
DEFAULT_COLOR = "#1f5fd6"
MAX_GREETING = 200
MAX_OFFLINE_TEXT = 500
MAX_NAME = 60
MAX_URL = 500
DEFAULT_BOT_NAME = "Support bot"
MIN_IDENTITY_SECRET = 16
_ENV_PARSERS = {setting.attribute: setting.parse for setting in SETTINGS_TABLE}
_HEX = re.compile(r"^#([0-9a-f]{3}|[0-9a-f]{6})$")


def _color(raw: str) -> str:
    match = _HEX.match(raw.strip().lower())
    if not match:
        raise ValueError("expected a colour like #1f5fd6")
    digits = match.group(1)
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def _greeting(raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) > MAX_GREETING:
        raise ValueError(f"at most {MAX_GREETING} characters")
    return text


def _offline_text(raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) > MAX_OFFLINE_TEXT:
        raise ValueError(f"at most {MAX_OFFLINE_TEXT} characters")
    return text


def _name(raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) > MAX_NAME:
        raise ValueError(f"at most {MAX_NAME} characters")
    return text


def _web_url(raw: str) -> str:
    """An absolute http(s) URL (a page or an image on the customer's site), or empty."""
    text = raw.strip()
    if not text:
        return ""
    parsed = urlsplit(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(text) > MAX_URL:
        raise ValueError(f"expected an http:// or https:// address of at most {MAX_URL} characters")
    if any(ch.isspace() or ch in "\"'<>" for ch in text):
        raise ValueError("an address has no spaces, quotes or angle brackets")
    return text


def _one_of(*choices: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            shown = ", ".join(repr(c) if c else "'' (the visitor's language)" for c in choices)
            raise ValueError(f"expected one of {shown}")
        return value

    return check


def _origins(raw: str) -> str:
    origins = _ENV_PARSERS["allowed_origins"](raw)
    if not origins:
        raise ValueError("name at least one origin, or * for any site")
    return ", ".join(origins)


def _identity_secret(raw: str) -> str:
    secret = str(_ENV_PARSERS["identity_secret"](raw))
    if len(secret) < MIN_IDENTITY_SECRET:
        raise ValueError(f"at least {MIN_IDENTITY_SECRET} characters")
    return secret


def _from_env(attribute: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        return str(_ENV_PARSERS[attribute](raw))

    return check


@dataclass(frozen=True)
class Key:
    """One editable setting: how a value is checked (into its saved text) and its fallback."""

    name: str
    check: Callable[[str], str]
    fallback: Callable[[Settings], str]
    secret: bool = False


KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        # Who the visitor is talking to: the widget's header, the help center, the bot.
        Key("site_name", _name, lambda s: ""),
        Key("site_url", _web_url, lambda s: ""),
        Key("site_logo_url", _web_url, lambda s: ""),
        Key("bot_name", _name, lambda s: ""),
        Key("offline_text", _offline_text, lambda s: ""),
        Key("widget_color", _color, lambda s: DEFAULT_COLOR),
        Key("widget_greeting", _greeting, lambda s: ""),
        # One per widget language; without it the one above, else the language's built-in.
        *(Key(f"widget_greeting_{locale}", _greeting, lambda s: "") for locale in WIDGET_LOCALES),
        Key("widget_position", _one_of("right", "left"), lambda s: "right"),
        Key("widget_locale", _one_of("", *WIDGET_LOCALES), lambda s: ""),
        Key("allowed_origins", _origins, lambda s: ", ".join(s.allowed_origins)),
        Key("identity_secret", _identity_secret, lambda s: s.identity_secret or "", secret=True),
        Key("business_hours", _from_env("business_hours"), lambda s: s.business_hours),
        Key("timezone", _from_env("timezone"), lambda s: s.timezone),
    )
}


@dataclass(frozen=True)
class StoredValue:
    """A ``site_settings`` row."""

    key: str
    value: Any
    updated_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class SiteSettings:
    """The effective values, typed, as one immutable snapshot every request reads."""

    texts: Mapping[str, str]
    rows: Mapping[str, StoredValue]
    hours: BusinessHours
    allowed_origins: tuple[str, ...]

    @property
    def site_name(self) -> str:
        return self.texts["site_name"]

    @property
    def site_url(self) -> str:
        return self.texts["site_url"]

    @property
    def site_logo_url(self) -> str:
        return self.texts["site_logo_url"]

    @property
    def bot_name(self) -> str:
        """The admin's name for the bot, else "<site> bot", else a neutral one: never Parley's."""
        if self.texts["bot_name"]:
            return self.texts["bot_name"]
        return f"{self.site_name} bot" if self.site_name else DEFAULT_BOT_NAME

    @property
    def offline_text(self) -> str:
        """What a visitor is told when they ask for a person and nobody is online ("" : ours)."""
        return self.texts["offline_text"]

    @property
    def widget_color(self) -> str:
        return self.texts["widget_color"]

    @property
    def widget_greeting(self) -> str:
        return self.texts["widget_greeting"]

    def greetings_by_locale(self) -> dict[str, str]:
        """The greetings an admin wrote for one language each (empty ones left out)."""
        found = {locale: self.texts[f"widget_greeting_{locale}"] for locale in WIDGET_LOCALES}
        return {locale: text for locale, text in found.items() if text}

    @property
    def widget_position(self) -> str:
        return self.texts["widget_position"]

    @property
    def widget_locale(self) -> str:
        return self.texts["widget_locale"]

    @property
    def identity_secret(self) -> str | None:
        return self.texts["identity_secret"] or None

    def describe(self) -> dict[str, dict[str, Any]]:
        """Each key for the admin: value, where it comes from, who changed it; never a secret."""
        described: dict[str, dict[str, Any]] = {}
        for name, key in KEYS.items():
            row = self.rows.get(name)
            text = self.texts[name]
            entry: dict[str, Any] = {
                "value": None if key.secret else text,
                "source": "admin" if row else "environment",
                "updated_by": row.updated_by if row else None,
                "updated_at": row.updated_at.isoformat() if row else None,
            }
            if key.secret:
                entry["set"] = bool(text)
            described[name] = entry
        return described


def effective(settings: Settings, rows: Mapping[str, StoredValue]) -> SiteSettings:
    """Rows over the environment. A row that no longer passes its check is ignored, loudly."""
    texts: dict[str, str] = {}
    kept: dict[str, StoredValue] = {}
    for name, key in KEYS.items():
        row = rows.get(name)
        texts[name] = key.fallback(settings)
        if row is None:
            continue
        try:
            texts[name] = key.check(str(row.value))
            kept[name] = row
        except ValueError as exc:
            logger.warning("site setting %s ignored: %s", name, exc)
    return SiteSettings(
        texts=texts,
        rows=kept,
        # Each part passed its own check, so together they parse.
        hours=parse_business_hours(texts["business_hours"], texts["timezone"]),
        allowed_origins=tuple(_ENV_PARSERS["allowed_origins"](texts["allowed_origins"])),
    )


def validate(changes: Mapping[str, object]) -> dict[str, str | None]:
    """Checked changes (``None``: back to the environment's value), or ``BadRequest`` naming
    the first bad key."""
    if not changes:
        raise BadRequest("nothing to change", code="invalid_setting")
    checked: dict[str, str | None] = {}
    for name, value in changes.items():
        key = KEYS.get(name)
        if key is None:
            raise BadRequest(f"{name}: not a site setting", code="invalid_setting")
        if value is None:
            checked[name] = None
            continue
        if not isinstance(value, str):
            raise BadRequest(f"{name}: expected text", code="invalid_setting")
        try:
            checked[name] = key.check(value)
        except ValueError as exc:
            raise BadRequest(f"{name}: {exc}", code="invalid_setting") from None
    return checked
