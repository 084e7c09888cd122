"""The console's static files, each at a URL carrying the hash of its own content.

The console is ES modules importing each other by relative URL (``./http.js``). A hash on the
entry script alone is not enough: after an upgrade the browser would fetch the new ``app.js``
and take the old modules it imports from its cache. So every page carries an import map from
each module's plain URL to its hashed one, and every import in the browser goes through it;
a module whose content did not change keeps its URL and stays cached.

A hashed URL with the current hash is cached for a year as immutable; any other (no hash, or
a hash from before an upgrade) must be revalidated, so it never pins what it got.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from parley.embed import UNVERSIONED_CACHE, VERSIONED_CACHE

URL_PREFIX = "/console/static/"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    version: str  # the start of the content's SHA-256

    @classmethod
    def of(cls, body: bytes, content_type: str) -> StaticFile:
        return cls(body, content_type, hashlib.sha256(body).hexdigest()[:16])

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class ConsoleAssets:
    """The files of one ``static/`` folder, read once, and what a page needs to load them."""

    def __init__(self, directory: Path, shared: dict[str, Path] | None = None) -> None:
        """``shared``: files from elsewhere served here under a name (the design tokens)."""
        found = {
            # Sub-folders too: vendor/ holds released libraries a page loads (uPlot on Reports),
            # icons/ the vendored Lucide icons the stylesheets use.
            path.relative_to(directory).as_posix(): path
            for path in sorted(directory.rglob("*"))
            if path.is_file() and path.suffix in CONTENT_TYPES
        }
        found.update(shared or {})
        self.files = {
            name: StaticFile.of(path.read_bytes(), CONTENT_TYPES[path.suffix])
            for name, path in found.items()
        }
        modules = {  # Parley's own modules; a vendored library is a plain script
            URL_PREFIX + name: self.url(name)
            for name in self.files
            if name.endswith(".js") and "/" not in name
        }
        # "<" escaped: nothing in the map could end its <script> element early.
        text = json.dumps({"imports": modules}, sort_keys=True).replace("<", "\\u003c")
        self.import_map = Markup(text)  # JSON of our own file names, escaped above
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        self.import_map_source = f"'sha256-{digest}'"  # what a CSP's script-src must allow

    def url(self, name: str) -> str:
        return f"{URL_PREFIX}{name}?v={self.files[name].version}"

    def cache_control(self, name: str, version: str | None) -> str:
        return VERSIONED_CACHE if version == self.files[name].version else UNVERSIONED_CACHE
