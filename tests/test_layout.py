"""The map's rules (docs/architecture.md, "Rules that keep the paths visible"), read from the code.

Each rule walks the package's syntax trees; a failure names the module and the line that
breaks it, so the map and the code cannot drift apart unnoticed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "server" / "parley"

# Where a rule deliberately does not hold, and why.
SQL_EXCEPTIONS = {
    "conversation/access.py": "builds the visibility rule's WHERE clause; the stores run it",
}
EDGES = ("sockets/", "api/", "helpcenter/", "console/", "web/", "demo/", "app.py", "embed.py")


@dataclass(frozen=True)
class Module:
    path: str  # relative to the package, with "/"
    tree: ast.Module

    def imports(self) -> Iterator[tuple[str, int]]:
        """Every module name this one imports, with its line."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield node.module, node.lineno
                for alias in node.names:
                    yield f"{node.module}.{alias.name}", node.lineno

    def in_(self, *places: str) -> bool:
        return any(self.path == p or (p.endswith("/") and self.path.startswith(p)) for p in places)


def _modules() -> list[Module]:
    found = []
    for file in sorted(PACKAGE.rglob("*.py")):
        path = file.relative_to(PACKAGE).as_posix()
        found.append(Module(path, ast.parse(file.read_text(encoding="utf-8"), path)))
    return found


MODULES = _modules()


def _breaks(rule: str, offences: list[str]) -> None:
    assert not offences, f"{rule}:\n  " + "\n  ".join(offences)


def _is_store(module: Module) -> bool:
    name = module.path.rsplit("/", 1)[-1]
    return name == "store.py" or "/store/" in module.path


def test_only_the_database_layer_and_the_stores_use_sqlalchemy() -> None:
    offences = [
        f"{m.path}:{line} imports {name}"
        for m in MODULES
        if not (m.in_("db/") or _is_store(m) or m.path in SQL_EXCEPTIONS)
        for name, line in m.imports()
        if name == "sqlalchemy" or name.startswith("sqlalchemy.")
    ]
    _breaks("SQL outside db/ and the stores", offences)


def test_only_the_schema_defines_tables() -> None:
    offences = [
        f"{m.path}:{node.lineno} defines a Table"
        for m in MODULES
        if not m.in_("db/schema.py", "db/migrations/")
        for node in ast.walk(m.tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "Table"
    ]
    _breaks("a table outside db/schema.py", offences)


def test_starlette_appears_only_at_the_edges() -> None:
    offences = [
        f"{m.path}:{line} imports {name}"
        for m in MODULES
        if not m.in_(*EDGES)
        for name, line in m.imports()
        if name == "starlette" or name.startswith("starlette.")
    ]
    _breaks("Starlette outside the edges", offences)


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("knowledge/", ("conversation", "routing", "bot", "sockets")),
        ("conversation/", ("routing", "bot", "sockets")),
    ],
)
def test_domain_packages_do_not_reach_up(package: str, forbidden: tuple[str, ...]) -> None:
    offences = [
        f"{m.path}:{line} imports {name}"
        for m in MODULES
        if m.in_(package)
        for name, line in m.imports()
        if any(name == f"parley.{f}" or name.startswith(f"parley.{f}.") for f in forbidden)
    ]
    _breaks(f"{package} importing what it must not", offences)


def test_only_the_app_imports_the_sockets_and_the_api() -> None:
    offences = [
        f"{m.path}:{line} imports {name}"
        for m in MODULES
        for name, line in m.imports()
        for edge in ("sockets", "api")
        if (name == f"parley.{edge}" or name.startswith(f"parley.{edge}."))
        and not m.in_("app.py", f"{edge}/")
    ]
    _breaks("sockets/ or api/ imported outside app.py", offences)


def test_settings_come_only_from_the_settings_table() -> None:
    offences = [
        f"{m.path}:{node.lineno} reads the environment"
        for m in MODULES
        if m.path != "config.py"
        for node in ast.walk(m.tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("environ", "getenv")
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ]
    _breaks("the environment read outside config.py", offences)


def test_only_media_knows_the_storage_backend() -> None:
    offences = [
        f"{m.path}:{line} imports {name}"
        for m in MODULES
        if not m.in_("media/")
        for name, line in m.imports()
        if name.startswith("parley.media.storage")
    ]
    _breaks("a storage backend named outside media/", offences)


def test_form_bodies_are_read_only_by_the_one_reader() -> None:
    """Starlette's ``request.form()`` parses (and spools) before any check; ``web/forms.py``
    bounds the body and refuses what the databases cannot store, for every form at once."""
    offences = [
        f"{m.path}:{node.lineno} calls .form()"
        for m in MODULES
        for node in ast.walk(m.tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "form"
    ]
    _breaks("a form body read past web/forms.read_form", offences)


def test_nothing_updates_or_deletes_an_event() -> None:
    offences = [
        f"{m.path}:{node.lineno} {node.func.id}(conversation_events)"
        for m in MODULES
        for node in ast.walk(m.tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("update", "delete")
        and any(isinstance(a, ast.Name) and a.id == "conversation_events" for a in node.args)
    ]
    _breaks("history rewritten", offences)


def test_the_rules_see_the_whole_package() -> None:
    """A rule that reads nothing cannot fail: the walk must find the modules it judges."""
    paths = {m.path for m in MODULES}
    assert {"app.py", "db/schema.py", "conversation/lifecycle.py", "sockets/visitor.py"} <= paths
    assert len(MODULES) > 80
