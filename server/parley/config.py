"""Every ``PARLEY_*`` setting in one declarative table, validated once at start.

The table is the single source of truth: ``Settings.from_env`` reads it, ``docs/configuration.md``
documents it (a test keeps the two in step), and the rest of the code reads ``Settings``
attributes, never ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parley.errors import ConfigError
from parley.routing.hours import parse_business_hours

PREFIX = "PARLEY_"


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _parse_positive_int(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None
    if value <= 0:
        raise ValueError("expected a number above zero")
    return value


def _parse_minutes(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("expected a whole number of minutes") from None
    if value < 0:
        raise ValueError("expected zero or more minutes")
    return value


def _parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ValueError(f"{origin!r} is not an origin like https://example.com")
    return origins


def _parse_networks(raw: str) -> tuple[str, ...]:
    networks = tuple(part.strip() for part in raw.split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ValueError(f"{network!r} is not an IP address or network") from None
    return networks


def _parse_public_url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    scheme, _, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest or "/" in rest or "?" in rest:
        raise ValueError("expected a URL such as https://help.example.com (no path)")
    return value


def _parse_database_url(raw: str) -> str:
    value = raw.strip()
    if not value.startswith(("sqlite", "postgresql", "postgres://")):
        raise ValueError("expected a sqlite:/// or postgresql:// URL")
    return value


def _parse_redis_url(raw: str) -> str:
    value = raw.strip()
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected a redis:// URL")
    return value


def _parse_log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return value


def _parse_text(raw: str) -> str:
    return raw.strip()


def _parse_timezone(raw: str) -> str:
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone such as Europe/Warsaw") from None
    return name


def _parse_smtp_url(raw: str) -> str:
    value = raw.strip()
    if not value.startswith(("smtp://", "smtps://")):
        raise ValueError("expected smtp://[user:password@]host[:port] or smtps://...")
    return value


def _parse_mail_listen(raw: str) -> str:
    value = raw.strip()
    if not value.startswith(("smtp://", "lmtp://")) or value.count(":") != 2:
        raise ValueError("expected smtp://host:port or lmtp://host:port")
    return value


def _parse_relay_secret(raw: str) -> str:
    value = raw.strip()
    if len(value) < 16:
        raise ValueError("expected at least 16 characters (a random string)")
    return value


def _parse_address(raw: str) -> str:
    value = raw.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c in value for c in " <>\r\n"):
        raise ValueError("expected a plain address such as support@example.com")
    return value


def _parse_business_hours(raw: str) -> str:
    parse_business_hours(raw, "UTC")  # raises ValueError naming the bad part
    return raw.strip()


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: the variable, how to parse it, its default and its help."""

    attribute: str
    parse: Callable[[str], Any]
    default: str | None
    help: str

    @property
    def env_name(self) -> str:
        return PREFIX + self.attribute.upper()


SETTINGS_TABLE: tuple[Setting, ...] = (
    Setting("data_dir", Path, "./data", "SQLite database, uploads, search index and secret key."),
    Setting("kb_dir", Path, "./kb_articles", "Markdown knowledge-base articles and FAQ."),
    Setting(
        "database_url",
        _parse_database_url,
        None,
        "Unset: SQLite in the data dir. `postgresql://user@host/db` selects PostgreSQL.",
    ),
    Setting(
        "redis_url",
        _parse_redis_url,
        None,
        "Unset: one process, in-process fan-out. Set: fan-out and presence go through Redis.",
    ),
    Setting(
        "database_pool_size",
        _parse_positive_int,
        "10",
        "Database connections each Parley process keeps open for reads and transactions (a "
        "fixed pool: a burst waits for a free one instead of opening more; SQLite adds its "
        "one writer connection). Several processes on PostgreSQL: keep their sum below the "
        "server's `max_connections`.",
    ),
    Setting(
        "secret_key",
        _parse_text,
        None,
        "Signs visitor and agent tokens. Unset: generated once and kept in the data dir.",
    ),
    Setting(
        "identity_secret",
        _parse_text,
        None,
        "HMAC key for `user_hash` identity verification. Unset: verification is refused.",
    ),
    Setting(
        "allowed_origins",
        _parse_origins,
        "*",
        "Comma-separated origins whose pages may embed the widget (`*`: any).",
    ),
    Setting("host", _parse_text, "127.0.0.1", "Address `parley serve` listens on."),
    Setting("port", _parse_positive_int, "8000", "Port `parley serve` listens on."),
    Setting(
        "public_url",
        _parse_public_url,
        None,
        "Where people reach Parley (`https://help.example.com`): the base of canonical links, "
        "`og:url`, the sitemap, robots.txt and the links in mails, never the request's `Host`. "
        "Unset: `http://PARLEY_HOST:PARLEY_PORT`.",
    ),
    Setting("log_level", _parse_log_level, "INFO", "DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "agent_token_ttl",
        _parse_positive_int,
        str(12 * 3600),
        "Seconds an agent's sign-in token (and console session) stays valid.",
    ),
    Setting(
        "login_max_failures",
        _parse_positive_int,
        "10",
        "Failed sign-ins per client address within 15 minutes before 429. An email is never "
        "locked: each guess at it past half of this waits longer (up to 2 s).",
    ),
    Setting(
        "visitor_token_ttl",
        _parse_positive_int,
        str(90 * 86400),
        "Seconds a visitor's token stays valid; after that the widget starts as a new visitor.",
    ),
    Setting(
        "trusted_proxies",
        _parse_networks,
        None,
        "Comma-separated addresses or networks of your reverse proxies: only their "
        "`X-Forwarded-For` / `X-Forwarded-Proto` are believed. Unset: none is.",
    ),
    Setting(
        "business_hours",
        _parse_business_hours,
        "mon-fri 09:00-17:00",
        "When the team is usually around, shown to visitors when nobody is online "
        "(`mon-fri 09:00-17:00; sat 10:00-14:00`).",
    ),
    Setting("timezone", _parse_timezone, "UTC", "Time zone of the business hours."),
    Setting(
        "presence_grace_seconds",
        _parse_positive_int,
        "30",
        "An agent whose last console closes stays online this long (a reload is not leaving).",
    ),
    Setting(
        "reassign_after_seconds",
        _parse_positive_int,
        "120",
        "A disconnected agent's conversations go back to the queue after this long.",
    ),
    Setting(
        "bot_idle_minutes",
        _parse_positive_int,
        "30",
        "A conversation still with the bot is resolved (by `timeout`) after this many minutes "
        "without a message; it counts as self-served when the bot had answered confidently.",
    ),
    Setting(
        "secure_cookies",
        _parse_bool,
        "false",
        "Mark the console session cookie `Secure` (turn on behind HTTPS).",
    ),
    Setting(
        "upload_max_bytes",
        _parse_positive_int,
        str(10 * 1024 * 1024),
        "Largest attachment upload in bytes; a bigger one is refused (413) while it streams.",
    ),
    Setting(
        "upload_max_pixels",
        _parse_positive_int,
        "40000000",
        "Largest image in pixels (width × height), checked from the header before decoding.",
    ),
    Setting(
        "upload_max_frames",
        _parse_positive_int,
        "300",
        "Most frames an animated GIF or WebP may have.",
    ),
    Setting(
        "visitors_per_minute",
        _parse_positive_int,
        "30",
        "New visitors one client address may create per minute (`POST /api/v1/visitors`); "
        "past it, 429.",
    ),
    Setting(
        "uploads_per_minute",
        _parse_positive_int,
        "20",
        "Uploads visitors from one client address may send per minute "
        "(`POST /api/v1/attachments`); past it, 429. Agents are not counted.",
    ),
    Setting(
        "sockets_per_address",
        _parse_positive_int,
        "100",
        "WebSockets one client address may hold open at once (an office behind one address "
        "counts together); past it, a new socket is closed with 4429.",
    ),
    Setting(
        "sockets_per_client",
        _parse_positive_int,
        "10",
        "WebSockets one visitor (or agent) may hold open at once: their tabs.",
    ),
    Setting(
        "socket_frames_per_second",
        _parse_positive_int,
        "20",
        "Frames per second one visitor (or agent) may send across all their sockets together "
        "(bursts of three seconds' worth); past it, the socket is closed with 4429.",
    ),
    Setting(
        "hello_timeout_seconds",
        _parse_positive_int,
        "10",
        "A WebSocket that sends no frame this long after it opens is closed with 1008.",
    ),
    Setting(
        "unattached_upload_mb",
        _parse_positive_int,
        "20",
        "Megabytes of uploads a visitor may hold that no message carries yet; past it, 413 "
        "until they send or the uploads are attached.",
    ),
    Setting(
        "header_timeout_seconds",
        _parse_positive_int,
        "10",
        "A connection whose request headers are not all in this long after it opens (or after "
        "the previous response) is closed: half-open connections cannot pile up.",
    ),
    Setting(
        "image_workers",
        _parse_positive_int,
        "2",
        "Threads that decode and re-encode uploaded images (their own pool: password checks and "
        "the bot never wait behind them).",
    ),
    Setting(
        "image_memory_mb",
        _parse_positive_int,
        "192",
        "Memory the image workers may hold at once, in MB; an upload waits for its share (from "
        "its header: a still, or one animation frame, about 12 bytes a pixel) and one that "
        "could never fit is refused (413).",
    ),
    Setting(
        "reviews_per_week",
        _parse_positive_int,
        "5",
        "Resolved conversations of colleagues each reviewer gets to score every week (peer "
        "review).",
    ),
    Setting(
        "search_log_days",
        _parse_positive_int,
        "180",
        "Days a knowledge-base search stays in the search log (writers' reports); "
        "older entries are deleted hourly.",
    ),
    Setting(
        "smtp_url",
        _parse_smtp_url,
        None,
        "Outgoing mail server, `smtp://user:password@host:587` (STARTTLS when offered) or "
        "`smtps://…` (TLS). Unset: mail waits in the outbox, readable in Admin → Mail.",
    ),
    Setting(
        "mail_from",
        _parse_address,
        "support@parley.localhost",
        "Sender address of every mail; replies go to `reply+<token>@` its domain.",
    ),
    Setting(
        "mail_unseen_minutes",
        _parse_minutes,
        "5",
        "Minutes an agent's reply may stay unseen in the widget before it is mailed "
        "(replies in that time go in one mail; 0: at once). A rating not given in the widget "
        "is asked for by mail as long after the resolve.",
    ),
    Setting(
        "mail_waiting_minutes",
        _parse_positive_int,
        "10",
        "Minutes a conversation may wait with nobody online before agents are mailed.",
    ),
    Setting(
        "mail_lease_seconds",
        _parse_positive_int,
        "300",
        "How long a process holds the mails it claimed to send; a process that dies mid-send "
        "leaves them to the others (or to itself restarted) after this long. Longer than a "
        "batch of 50 mails takes to send.",
    ),
    Setting(
        "mail_listen",
        _parse_mail_listen,
        None,
        "Inbound mail listener for a local MTA to relay replies to, `lmtp://127.0.0.1:2424` "
        "or `smtp://127.0.0.1:2525`. Unset: replies arrive only through the HTTP endpoint.",
    ),
    Setting(
        "inbound_mail_secret",
        _parse_relay_secret,
        None,
        "The secret a relay service presents to `POST /api/v1/mail/inbound` (as a bearer token, "
        "or the password of HTTP Basic auth in the URL it posts to); at least 16 characters. "
        "Unset: the endpoint is off (404) and replies arrive only through the listener.",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Validated configuration. Build it with ``from_env``; tests build it directly."""

    data_dir: Path = Path("./data")
    kb_dir: Path = Path("./kb_articles")
    database_url: str | None = None
    redis_url: str | None = None
    database_pool_size: int = 10
    secret_key: str | None = None
    identity_secret: str | None = None
    allowed_origins: tuple[str, ...] = ("*",)
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    log_level: str = "INFO"
    agent_token_ttl: int = 12 * 3600
    login_max_failures: int = 10
    visitor_token_ttl: int = 90 * 86400
    trusted_proxies: tuple[str, ...] | None = None
    business_hours: str = "mon-fri 09:00-17:00"
    timezone: str = "UTC"
    presence_grace_seconds: int = 30
    reassign_after_seconds: int = 120
    bot_idle_minutes: int = 30
    secure_cookies: bool = False
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    upload_max_frames: int = 300
    visitors_per_minute: int = 30
    uploads_per_minute: int = 20
    sockets_per_address: int = 100
    sockets_per_client: int = 10
    socket_frames_per_second: int = 20
    hello_timeout_seconds: int = 10
    unattached_upload_mb: int = 20
    header_timeout_seconds: int = 10
    image_workers: int = 2
    image_memory_mb: int = 192
    search_log_days: int = 180
    reviews_per_week: int = 5
    smtp_url: str | None = None
    mail_from: str = "support@parley.localhost"
    mail_unseen_minutes: int = 5
    mail_waiting_minutes: int = 10
    mail_lease_seconds: int = 300
    mail_listen: str | None = None
    inbound_mail_secret: str | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Read ``PARLEY_*`` from the environment, with a ``.env`` file filling the gaps.

        An unknown ``PARLEY_*`` name or a malformed value raises ``ConfigError`` naming it.
        """
        merged: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            merged.update(read_env_file(env_file))
        merged.update(os.environ if environ is None else environ)
        known = {setting.env_name: setting for setting in SETTINGS_TABLE}
        unknown = sorted(name for name in merged if name.startswith(PREFIX) and name not in known)
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown setting (see docs/configuration.md)")
        values: dict[str, Any] = {}
        for setting in SETTINGS_TABLE:
            raw = merged.get(setting.env_name, setting.default)
            if raw is None or (raw.strip() == "" and setting.default is None):
                values[setting.attribute] = None
                continue
            try:
                values[setting.attribute] = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{setting.env_name}: {exc} (got {raw!r})") from None
        return cls(**values)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some attributes replaced (CLI flags win over the environment)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return Settings(**current)

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL: SQLite in the data dir unless PostgreSQL was chosen."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'parley.db'}"
        for plain, driver in (
            ("postgresql+asyncpg://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite+aiosqlite://", "sqlite+aiosqlite://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @property
    def base_url(self) -> str:
        """The site's own address for absolute links: configured, never taken from a request."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "kb_index"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def signing_key(self) -> str:
        """The token signing key: configured, or generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if key_file.is_file():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        draft = self.data_dir / f".secret_key.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:  # link() is atomic and refuses to overwrite: the first process to finish wins
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return key_file.read_text().strip()


def hand_to_workers(**values: str) -> None:
    """Settings for the processes ``parley serve`` starts, which read them from the environment
    (``host="…"`` becomes ``PARLEY_HOST``): a command-line flag reaches every worker."""
    os.environ.update({PREFIX + name.upper(): value for name, value in values.items()})


def read_env_file(path: Path) -> dict[str, str]:
    """Parse ``NAME=value`` lines; ``#`` comments and blank lines are skipped, quotes trimmed."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.removeprefix("export ").partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected NAME=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values
