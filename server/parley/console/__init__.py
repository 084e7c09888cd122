"""The agent console at ``/console``: Jinja2 pages, plain JavaScript modules over ``/ws/agent``,
the small JSON API those modules need (agents and teams for transfers, one's own password),
and the admin pages."""

from __future__ import annotations

from parley.console import account, admin_api, admin_pages, api, library, pages, reports_page

routes = [
    *pages.routes,
    *api.routes,
    *account.routes,
    *library.routes,
    *admin_pages.routes,
    *admin_api.routes,
    *reports_page.routes,
]
