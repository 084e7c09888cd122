"""Re-index edited articles while the server runs: a writer saves a file, it is searchable
within a second, no restart.

``watchfiles.awatch`` reports batches of changes; each batch of ``.md`` paths is handed to
``KnowledgeBase.refresh`` in a worker thread (parsing and indexing are blocking work), so the
event loop keeps serving while an edit is indexed.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from watchfiles import Change, awatch

from parley.knowledge.kb import KnowledgeBase

log = logging.getLogger(__name__)

# Wait this long for a burst of saves to settle (editors write, rename and touch) …
STEP_MS = 50
# … but never longer than this before indexing what has changed so far.
DEBOUNCE_MS = 300


async def watch(kb: KnowledgeBase, stop: asyncio.Event) -> None:
    """Re-index changed files under ``kb.kb_dir`` until ``stop`` is set."""
    async for changes in awatch(
        kb.kb_dir, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS, watch_filter=_relevant
    ):
        paths = sorted({Path(path) for _, path in changes})
        try:
            report = await asyncio.to_thread(kb.refresh, paths)
        except Exception:  # a failed refresh must not end live indexing for later edits
            log.exception("re-indexing %d changed knowledge-base file(s) failed", len(paths))
            continue
        if report.indexed or report.removed:
            log.info("knowledge base: indexed %s, removed %s", report.indexed, report.removed)


def _relevant(change: Change, path: str) -> bool:
    """Markdown files, and folders (a deleted or renamed folder takes its articles along)."""
    name = Path(path).name
    return not name.startswith(".") and (name.endswith(".md") or "." not in name)
