"""The agent console at ``/console``: Jinja2 pages, plain JavaScript modules over ``/ws/agent``,
and the small JSON API those modules need (agents and teams for transfers)."""

from __future__ import annotations

from parley.console import api, pages

routes = [*pages.routes, *api.routes]
