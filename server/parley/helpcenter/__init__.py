"""The public help center at ``/help``: server-rendered pages over the knowledge base.

Routes are ordered so the catch-all (a friendly HTML 404 for unknown ``/help/...`` paths)
comes last.
"""

from __future__ import annotations

from parley.helpcenter import files, pages

routes = [*files.routes, *pages.routes, pages.catch_all]
