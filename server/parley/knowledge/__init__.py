"""The knowledge path: Markdown articles → sanitized HTML + plain text → Whoosh index →
search (prefix, typo tolerance, snippets, did-you-mean, confidence).

Takes and returns plain values; imports no other Parley package but ``parley.errors``, so the
HTTP layer, the CLI, the bot and the tests all call the same functions.
"""

from parley.knowledge.articles import (
    Article,
    ArticleError,
    FaqItem,
    Heading,
    Problem,
    load_all,
    load_article,
)
from parley.knowledge.index import SyncReport
from parley.knowledge.kb import Category, KnowledgeBase, index_contents, update_index
from parley.knowledge.parallel import Progress, build_workers
from parley.knowledge.search import MAX_LIMIT, SearchHit, SearchResponse
from parley.knowledge.watcher import watch

__all__ = [
    "MAX_LIMIT",
    "Article",
    "ArticleError",
    "Category",
    "FaqItem",
    "Heading",
    "KnowledgeBase",
    "Problem",
    "Progress",
    "SearchHit",
    "SearchResponse",
    "SyncReport",
    "build_workers",
    "index_contents",
    "load_all",
    "load_article",
    "update_index",
    "watch",
]
