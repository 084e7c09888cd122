"""Settings: one table, validated at start, documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parley.config import SETTINGS_TABLE, Settings
from parley.errors import ConfigError


def test_defaults_are_the_embedded_single_process_product() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert settings.data_dir == Path("./data")
    assert settings.kb_dir == Path("./kb_articles")
    assert settings.redis_url is None
    assert settings.allowed_origins == ("*",)
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.resolved_database_url == "sqlite+aiosqlite:///data/parley.db"


def test_postgresql_urls_select_the_async_driver() -> None:
    settings = Settings.from_env(
        {"PARLEY_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/parley"}, env_file=None
    )
    assert settings.resolved_database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/parley"


def test_allowed_origins_are_a_trimmed_list() -> None:
    settings = Settings.from_env(
        {"PARLEY_ALLOWED_ORIGINS": "https://a.example, https://b.example/"}, env_file=None
    )
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PARLEY_PORT", "eighty"),
        ("PARLEY_PORT", "-1"),
        ("PARLEY_DATABASE_URL", "mysql://localhost/x"),
        ("PARLEY_REDIS_URL", "localhost:6379"),
        ("PARLEY_ALLOWED_ORIGINS", "example.com"),
        ("PARLEY_SECURE_COOKIES", "maybe"),
        ("PARLEY_LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}: "):
        Settings.from_env({name: value}, env_file=None)


def test_unknown_variables_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"^PARLEY_DATABSE_URL: unknown setting"):
        Settings.from_env({"PARLEY_DATABSE_URL": "sqlite:///x"}, env_file=None)


def test_env_file_fills_gaps_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('# local\nPARLEY_PORT=9000\nexport PARLEY_HOST="0.0.0.0"\n')
    settings = Settings.from_env({"PARLEY_PORT": "9100"}, env_file=env_file)
    assert (settings.host, settings.port) == ("0.0.0.0", 9100)


def test_generated_secret_key_is_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.signing_key()
    assert len(key) > 40
    assert Settings(data_dir=tmp_path).signing_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_every_setting_is_documented_with_its_default(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "configuration.md").read_text()
    documented = dict(re.findall(r"^\| `(PARLEY_[A-Z_]+)` \| ([^|]*) \|", doc, re.MULTILINE))
    assert set(documented) == {setting.env_name for setting in SETTINGS_TABLE}
    for setting in SETTINGS_TABLE:
        shown = documented[setting.env_name].strip().strip("`")
        assert shown == (setting.default if setting.default is not None else "unset"), setting
