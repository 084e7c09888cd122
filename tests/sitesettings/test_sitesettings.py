"""Effective values and validation: a row beats the environment, and only good values pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parley.config import Settings
from parley.errors import BadRequest
from parley.sitesettings import KEYS, StoredValue, effective, validate

ENV = Settings(
    allowed_origins=("https://shop.example",),
    identity_secret="from-the-environment",
    business_hours="mon-fri 08:00-16:00",
    timezone="Europe/Warsaw",
)


def _rows(**values: str) -> dict[str, StoredValue]:
    when = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    return {key: StoredValue(key, value, "agt_admin", when) for key, value in values.items()}


def test_without_rows_the_environment_and_the_widget_defaults_hold() -> None:
    site = effective(ENV, {})
    assert site.allowed_origins == ("https://shop.example",)
    assert site.identity_secret == "from-the-environment"
    assert site.hours.as_json() == {"hours": "mon-fri 08:00-16:00", "timezone": "Europe/Warsaw"}
    assert (site.widget_color, site.widget_position, site.widget_locale) == ("#1f5fd6", "right", "")
    assert all(entry["source"] == "environment" for entry in site.describe().values())


def test_a_row_overrides_the_environment() -> None:
    site = effective(
        ENV,
        _rows(
            allowed_origins="https://a.example, https://b.example",
            identity_secret="saved-by-an-admin-0123",
            timezone="America/New_York",
            widget_color="#abc",
        ),
    )
    assert site.allowed_origins == ("https://a.example", "https://b.example")
    assert site.identity_secret == "saved-by-an-admin-0123"
    assert site.hours.timezone.key == "America/New_York"
    assert site.hours.text == "mon-fri 08:00-16:00"  # still the environment's
    assert site.widget_color == "#aabbcc"
    described = site.describe()
    assert described["timezone"]["source"] == "admin"
    assert described["timezone"]["updated_by"] == "agt_admin"
    assert described["identity_secret"] == {
        "value": None,
        "set": True,
        "source": "admin",
        "updated_by": "agt_admin",
        "updated_at": "2026-01-05T12:00:00+00:00",
    }


def test_a_stored_value_that_no_longer_passes_is_ignored() -> None:
    site = effective(ENV, _rows(timezone="Mars/Olympus_Mons", widget_position="middle"))
    assert site.hours.timezone.key == "Europe/Warsaw"
    assert site.widget_position == "right"
    assert site.describe()["timezone"]["source"] == "environment"


def test_good_values_are_normalized() -> None:
    checked = validate(
        {
            "widget_color": " #1F5FD6 ",
            "widget_greeting": "  Hello   there!\n",
            "widget_greeting_en": "Hi!",
            "widget_greeting_pl": " Cześć!  W czym pomóc? ",
            "widget_greeting_sl": "Živjo!",
            "widget_position": "Left",
            "widget_locale": "pl",
            "allowed_origins": "https://a.example/ ,https://b.example",
            "business_hours": "mon-fri 09:00-17:00; sat 10:00-14:00",
            "timezone": "Europe/Ljubljana",
            "identity_secret": "0123456789abcdef0123",
            "site_name": "  Tallybird\n",
            "site_url": " https://tallybird.example/ ",
            "site_logo_url": "https://tallybird.example/logo.png",
            "bot_name": "Tally",
            "offline_text": " Back at  nine. ",
        }
    )
    assert checked == {
        "widget_color": "#1f5fd6",
        "widget_greeting": "Hello there!",
        "widget_greeting_en": "Hi!",
        "widget_greeting_pl": "Cześć! W czym pomóc?",
        "widget_greeting_sl": "Živjo!",
        "widget_position": "left",
        "widget_locale": "pl",
        "allowed_origins": "https://a.example, https://b.example",
        "business_hours": "mon-fri 09:00-17:00; sat 10:00-14:00",
        "timezone": "Europe/Ljubljana",
        "identity_secret": "0123456789abcdef0123",
        "site_name": "Tallybird",
        "site_url": "https://tallybird.example/",
        "site_logo_url": "https://tallybird.example/logo.png",
        "bot_name": "Tally",
        "offline_text": "Back at nine.",
    }
    assert validate({"timezone": None}) == {"timezone": None}
    assert set(checked) == set(KEYS)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({}, "nothing to change"),
        ({"favourite_colour": "#fff"}, "favourite_colour"),
        ({"widget_color": "blue"}, "widget_color"),
        ({"widget_color": "#12345"}, "widget_color"),
        ({"widget_greeting": "x" * 201}, "widget_greeting"),
        ({"widget_position": "top"}, "widget_position"),
        ({"widget_locale": "de"}, "widget_locale"),
        ({"allowed_origins": "shop.example"}, "allowed_origins"),
        ({"allowed_origins": " , "}, "allowed_origins"),
        ({"identity_secret": "short"}, "identity_secret"),
        ({"business_hours": "weekdays 9-5"}, "business_hours"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"timezone": 7}, "timezone"),
        ({"site_name": "x" * 61}, "site_name"),
        ({"site_url": "javascript:alert(1)"}, "site_url"),
        ({"site_url": "tallybird.example"}, "site_url"),
        ({"site_logo_url": 'https://a.example/x.png" onerror="x'}, "site_logo_url"),
        ({"bot_name": "x" * 61}, "bot_name"),
        ({"offline_text": "x" * 501}, "offline_text"),
    ],
)
def test_bad_values_are_refused_naming_the_key(changes: dict[str, object], named: str) -> None:
    with pytest.raises(BadRequest) as refused:
        validate(changes)
    assert named in refused.value.message
    assert refused.value.code == "invalid_setting"


def test_the_bot_speaks_for_the_site_never_for_parley() -> None:
    assert effective(ENV, {}).bot_name == "Support bot"
    assert effective(ENV, _rows(site_name="Tallybird")).bot_name == "Tallybird bot"
    assert effective(ENV, _rows(site_name="Tallybird", bot_name="Tally")).bot_name == "Tally"
