"""The index on disk: built when missing, updated file by file, shared by several instances."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import parley.knowledge.articles as articles_module
import parley.knowledge.index as index_module
from parley.knowledge import KnowledgeBase
from parley.knowledge.articles import Problem, load_or_problem
from parley.knowledge.parallel import PARALLEL_THRESHOLD
from parley.knowledge.plaintext import Extracted
from parley.knowledge.schema import to_record
from tests.knowledge.conftest import write

FOLLOW_TIMEOUT_S = 10.0


def slugs(kb: KnowledgeBase) -> set[str]:
    return {article.slug for article in kb.articles()}


def found(kb: KnowledgeBase, query: str) -> list[str]:
    return [hit.slug for hit in kb.search(query).results]


def wait_for(condition: object, timeout: float = FOLLOW_TIMEOUT_S) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_open_builds_the_index_and_serves_articles(kb: KnowledgeBase) -> None:
    assert kb.last_sync is not None
    assert kb.last_sync.rebuilt
    assert slugs(kb) == {
        "account/reset-password",
        "billing/refunds",
        "billing/invoices",
        "integrations/webhooks",
        "pl/zwrot-pieniedzy",
    }
    assert kb.article("billing/refunds") is not None
    assert kb.article("pl/zwrot") is not None  # links use the path; the slug is custom
    assert kb.article("nope") is None


def test_reopening_an_unchanged_kb_reads_nothing_again(kb_dir: Path, index_dir: Path) -> None:
    KnowledgeBase.open(kb_dir, index_dir).close()

    again = KnowledgeBase.open(kb_dir, index_dir)
    assert again.last_sync is not None
    assert (again.last_sync.indexed, again.last_sync.removed) == ((), ())
    assert len(again.articles()) == 5
    again.close()


def test_files_changed_while_closed_are_reindexed_alone(kb_dir: Path, index_dir: Path) -> None:
    KnowledgeBase.open(kb_dir, index_dir).close()
    write(kb_dir, "billing/refunds.md", "---\ntitle: Refunds\n---\nWe now refund within 60 days.\n")
    write(kb_dir, "billing/coupons.md", "# Coupons\n\nCoupons apply at checkout.\n")
    (kb_dir / "billing/invoices.md").unlink()

    kb = KnowledgeBase.open(kb_dir, index_dir)
    assert kb.last_sync is not None
    assert kb.last_sync.indexed == ("billing/coupons.md", "billing/refunds.md")
    assert kb.last_sync.removed == ("billing/invoices.md",)
    assert found(kb, "60 days") == ["billing/refunds"]
    assert "billing/coupons" in found(kb, "coupons")
    assert "billing/invoices" not in slugs(kb)
    kb.close()


def test_same_size_same_mtime_edit_is_caught_by_the_hash(kb_dir: Path, index_dir: Path) -> None:
    path = kb_dir / "billing/invoices.md"
    KnowledgeBase.open(kb_dir, index_dir).close()
    stat = path.stat()
    path.write_text(path.read_text().replace("PDF", "XLS"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    kb = KnowledgeBase.open(kb_dir, index_dir)
    assert kb.last_sync is not None
    assert kb.last_sync.indexed == ("billing/invoices.md",)
    kb.close()


def test_refresh_adds_changes_and_deletes(kb: KnowledgeBase, kb_dir: Path) -> None:
    added = write(kb_dir, "account/two-factor.md", "# Two-factor authentication\n\nUse an app.\n")
    report = kb.refresh([added])
    assert report.indexed == ("account/two-factor.md",)
    assert found(kb, "two-factor authentication")[0] == "account/two-factor"

    write(kb_dir, "account/two-factor.md", "# Two-factor authentication\n\nUse a hardware key.\n")
    kb.refresh([added])
    assert found(kb, "hardware key")[0] == "account/two-factor"
    assert kb.article("account/two-factor").text.endswith("Use a hardware key.")  # type: ignore[union-attr]

    added.unlink()
    assert kb.refresh([added]).removed == ("account/two-factor.md",)
    assert found(kb, "hardware key") == []
    assert kb.article("account/two-factor") is None


def test_refresh_of_a_deleted_folder_removes_its_articles(kb: KnowledgeBase, kb_dir: Path) -> None:
    for name in ("refunds.md", "invoices.md"):
        (kb_dir / "billing" / name).unlink()
    (kb_dir / "billing").rmdir()

    kb.refresh([kb_dir / "billing"])
    assert not any(slug.startswith("billing/") for slug in slugs(kb))
    assert kb.categories("en") == [c for c in kb.categories("en") if c.slug != "billing"]


def test_drafts_are_hidden_until_published(kb: KnowledgeBase, kb_dir: Path) -> None:
    path = write(kb_dir, "news.md", "---\ntitle: Launch\ndraft: true\n---\nZeppelin launch.\n")
    kb.refresh([path])
    assert kb.article("news") is None
    assert found(kb, "zeppelin") == []

    write(kb_dir, "news.md", "---\ntitle: Launch\n---\nZeppelin launch.\n")
    kb.refresh([path])
    assert found(kb, "zeppelin") == ["news"]


def test_problems_are_kept_in_the_index_and_cleared_when_fixed(
    kb_dir: Path, index_dir: Path
) -> None:
    broken = write(kb_dir, "broken.md", "---\ntitle: [oops\n---\nText\n")
    KnowledgeBase.open(kb_dir, index_dir).close()

    kb = KnowledgeBase.open(kb_dir, index_dir)  # nothing re-read: the problem comes from the index
    assert kb.last_sync is not None
    assert kb.last_sync.indexed == ()
    (problem,) = kb.problems()
    assert (problem.path, problem.line) == ("broken.md", 2)

    write(kb_dir, "broken.md", "---\ntitle: Fixed\n---\nText\n")
    kb.refresh([broken])
    assert kb.problems() == []
    assert kb.article("broken") is not None
    kb.close()


def test_a_slug_goes_to_its_first_claimant_by_path_also_incrementally(
    kb: KnowledgeBase, kb_dir: Path
) -> None:
    later = write(kb_dir, "zz/copy.md", "---\nslug: billing/refunds\ntitle: Copy\n---\nCopy.\n")
    kb.refresh([later])
    assert kb.article("billing/refunds").title == "Refunds"  # type: ignore[union-attr]
    assert [p.path for p in kb.problems()] == ["zz/copy.md"]

    original = kb_dir / "billing/refunds.md"
    original.unlink()
    kb.refresh([original])
    assert kb.article("billing/refunds").title == "Copy"  # type: ignore[union-attr]
    assert kb.problems() == []


def test_rebuild_recreates_everything(kb: KnowledgeBase) -> None:
    before = {a.slug: a.html for a in kb.articles()}
    report = kb.rebuild()
    assert report.rebuilt
    assert {a.slug: a.html for a in kb.articles()} == before


def test_rebuild_reads_only_changed_files_and_matches_a_fresh_build(
    kb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    KnowledgeBase.open(kb_dir, tmp_path / "kept").close()
    write(kb_dir, "billing/refunds.md", "# Refunds\n\nWe refund **unused** days in full.\n")
    write(kb_dir, "billing/vat.md", "# VAT numbers\n\nAdd your VAT number.\n")
    read: list[str] = []
    real_extract = articles_module.extract

    def counting_extract(source: str) -> Extracted:
        read.append(source)
        return real_extract(source)

    monkeypatch.setattr(articles_module, "extract", counting_extract)
    kb = KnowledgeBase.open(kb_dir, tmp_path / "kept", rebuild=True)
    assert [source.partition("\n")[0] for source in sorted(read)] == ["# Refunds", "# VAT numbers"]
    read.clear()
    fresh = KnowledgeBase.open(kb_dir, tmp_path / "fresh")
    assert len(read) == 6  # every file: nothing to reuse in a fresh data dir

    assert {a.slug: to_record(a) for a in kb.articles()} == {
        a.slug: to_record(a) for a in fresh.articles()
    }
    assert "<strong>unused</strong> days" in kb.article("billing/refunds").html  # type: ignore[union-attr]
    for query in ("reuse an old password", "unused days refund", "VAT number", "hasłem"):
        assert kb.search(query).as_json()["results"] == fresh.search(query).as_json()["results"]
    faq_ids = [hit.id for hit in kb.search("reuse an old password").results if hit.kind == "faq"]
    assert faq_ids[0] == "account/reset-password#faq-2"  # FAQ items and their vectors kept
    kb.close()
    fresh.close()


def test_a_new_schema_version_builds_a_fresh_index(
    kb_dir: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    KnowledgeBase.open(kb_dir, index_dir).close()
    monkeypatch.setattr(index_module, "INDEX_NAME", "parley_kb_v999")

    kb = KnowledgeBase.open(kb_dir, index_dir)
    assert kb.last_sync is not None
    assert kb.last_sync.rebuilt
    assert len(kb.articles()) == 5
    kb.close()


def test_two_instances_share_one_kb_and_one_index(kb_dir: Path, index_dir: Path) -> None:
    first = KnowledgeBase.open(kb_dir, index_dir)
    second = KnowledgeBase.open(kb_dir, index_dir)
    assert second.last_sync is not None
    assert second.last_sync.indexed == ()

    path = write(kb_dir, "billing/vat.md", "# VAT numbers\n\nAdd your VAT number.\n")
    assert first.refresh([path]).indexed == ("billing/vat.md",)
    assert second.refresh([path]).indexed == ()  # already done by the first: only reopens
    assert found(second, "VAT number")[0] == "billing/vat"

    write(kb_dir, "billing/vat.md", "# VAT numbers\n\nAdd your tax identifier.\n")
    first.refresh([path])
    assert wait_for(lambda: found(second, "tax identifier") == ["billing/vat"])
    first.close()
    second.close()


def test_searching_from_many_threads_while_articles_change(kb: KnowledgeBase, kb_dir: Path) -> None:
    stop = threading.Event()

    def edit() -> None:
        for number in range(8):
            path = write(
                kb_dir, "billing/notes.md", f"# Notes {number}\n\nInvoice note {number}.\n"
            )
            kb.refresh([path])
        stop.set()

    def search() -> int:
        count = 0
        while not stop.is_set():
            assert kb.search("invoice refund password").results
            count += 1
        return count

    with ThreadPoolExecutor(max_workers=5) as pool:
        searches = [pool.submit(search) for _ in range(4)]
        pool.submit(edit).result()
        assert all(future.result() > 0 for future in searches)
    assert found(kb, "invoice note 7")[0] == "billing/notes"


def test_a_big_build_can_parse_in_worker_processes(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    for number in range(PARALLEL_THRESHOLD + 5):
        write(
            kb_dir, f"bulk/article-{number:03}.md", f"# Article {number}\n\nBody number{number}.\n"
        )

    kb = KnowledgeBase.open(kb_dir, tmp_path / "index", workers=2)
    assert len(kb.articles()) == PARALLEL_THRESHOLD + 5
    assert found(kb, "number42") == ["bulk/article-042"]
    kb.close()

    # A rebuild hands the unchanged articles, as the index holds them, to the workers.
    write(kb_dir, "bulk/article-007.md", "# Article 7\n\nBody renumbered.\n")
    kb = KnowledgeBase.open(kb_dir, tmp_path / "index", workers=2, rebuild=True)
    assert len(kb.articles()) == PARALLEL_THRESHOLD + 5
    assert found(kb, "number42") == ["bulk/article-042"]
    assert found(kb, "renumbered") == ["bulk/article-007"]
    assert "bulk/article-007" not in found(kb, "number7")
    kb.close()


CHILD = """
import json, sys
from pathlib import Path
from parley.knowledge import KnowledgeBase

kb = KnowledgeBase.open(Path(sys.argv[1]), Path(sys.argv[2]))
report = kb.last_sync
print(json.dumps({"rebuilt": report.rebuilt, "indexed": list(report.indexed)}))
"""


def run_child(kb_dir: Path, index_dir: Path) -> subprocess.Popen[str]:
    """Another server process: opens the same KB and index dirs (and syncs them)."""
    command = [sys.executable, "-c", CHILD, str(kb_dir), str(index_dir)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def child_report(child: subprocess.Popen[str]) -> dict[str, object]:
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0
    report: dict[str, object] = json.loads(out)
    return report


def test_two_processes_build_once_and_see_each_others_edits(kb_dir: Path, index_dir: Path) -> None:
    child = run_child(kb_dir, index_dir)  # both open a missing index at once
    kb = KnowledgeBase.open(kb_dir, index_dir)
    first = child_report(child)
    assert kb.last_sync is not None
    assert [first["rebuilt"], kb.last_sync.rebuilt].count(True) == 1  # one built, one waited

    write(kb_dir, "billing/vat.md", "# VAT numbers\n\nAdd your narwhal identifier.\n")
    assert child_report(run_child(kb_dir, index_dir))["indexed"] == ["billing/vat.md"]
    assert wait_for(lambda: found(kb, "narwhal") == ["billing/vat"])
    kb.close()


def test_a_file_that_cannot_be_read_is_a_problem_not_a_crash(kb_dir: Path) -> None:
    # Listed, then gone before it was read (a writer's editor swapping files): as root, chmod 0
    # would not make a file unreadable, but a vanished one is unreadable for everyone.
    problem = load_or_problem(kb_dir / "vanished.md", kb_dir)
    assert isinstance(problem, Problem)
    assert problem.path == "vanished.md"
    assert problem.message.startswith("cannot read")


def test_contents_count_what_the_latest_generation_serves(kb_dir: Path, index_dir: Path) -> None:
    write(kb_dir, "drafts/soon.md", "---\ntitle: Soon\ndraft: true\n---\nNot yet.\n")
    write(kb_dir, "broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    kb = KnowledgeBase.open(kb_dir, index_dir)
    contents = index_module.IndexStore(kb_dir, index_dir).contents()
    assert contents == index_module.Contents(5, 2, ("en", "pl"), 1)

    # The Polish article's documents are deleted, not yet merged away: its locale is gone.
    (kb_dir / "pl/zwrot.md").unlink()
    (kb_dir / "broken.md").unlink()
    kb.refresh([kb_dir / "pl/zwrot.md", kb_dir / "broken.md"])
    contents = index_module.IndexStore(kb_dir, index_dir).contents()
    assert contents == index_module.Contents(4, 2, ("en",), 0)
    kb.close()
