"""The agent console at ``/console``: Jinja2 pages, plain JavaScript modules over ``/ws/agent``,
the small JSON API those modules need (agents and teams for transfers, one's own password),
and the admin pages."""

from __future__ import annotations

from parley.console import (
    account,
    admin_api,
    admin_pages,
    api,
    issues,
    library,
    mail,
    pages,
    quality_api,
    replies_api,
    reports_page,
    review_api,
    setup,
)

routes = [
    *pages.routes,
    *api.routes,
    *replies_api.routes,
    *account.routes,
    *library.routes,
    *admin_pages.routes,
    *admin_api.routes,
    *quality_api.routes,
    *review_api.routes,
    *mail.routes,
    *issues.routes,
    *reports_page.routes,
    *setup.routes,
]
