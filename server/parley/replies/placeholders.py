"""Placeholders in saved replies: ``{{visitor.name}}``, ``{{agent.first_name}}``,
``{{visitor.attributes.plan | default("your plan")}}``, rendered with Jinja2's sandbox.

Agents write the templates, but visitors supply the values (attributes come from the widget),
so the language is cut down to what a greeting needs and checked when the reply is saved:
names are ``visitor`` and ``agent``, lookups reach only the keys of plain dicts (no attribute
of any Python object), a few filters, ``if``/``else`` and comparisons; no loops, macros,
assignments, calls or operators that could build a huge string. Every value a visitor sent is
a plain ``str``/number/bool/None (``identity.visitors`` checks), never an object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes
from jinja2.sandbox import SandboxedEnvironment

from parley.errors import BadRequest

MAX_RENDERED = 5000  # what a message may hold
FILTERS = ("default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate")
# Known fields; when a value is unknown and no ``default`` is given, this stands in.
VISITOR_FALLBACKS = {"name": "there", "first_name": "there", "email": "your email address"}
AGENT_FALLBACKS = {"name": "your support team", "first_name": "your support team"}
FIELDS = {"visitor": {*VISITOR_FALLBACKS, "attributes"}, "agent": set(AGENT_FALLBACKS)}
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.Filter,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Keyword,
)


class _Person(dict[str, Any]):
    """A visitor's or agent's fields: printing one that is unknown gives its fallback."""

    fallbacks: Mapping[str, str] = {}


class _Visitor(_Person):
    fallbacks = VISITOR_FALLBACKS


class _Agent(_Person):
    fallbacks = AGENT_FALLBACKS


class _Missing(Undefined):
    """An unknown value: a known field's fallback, else nothing (``default`` sees it as
    undefined either way)."""

    def __str__(self) -> str:
        owner = self._undefined_obj
        if isinstance(owner, _Person) and isinstance(self._undefined_name, str):
            return owner.fallbacks.get(self._undefined_name, "")
        return ""


class _Sandbox(SandboxedEnvironment):
    """Lookups read dict keys and nothing else: ``x.items`` is the key "items", never a method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj and obj[attribute] is not None:
            return obj[attribute]
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, dict) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=str(argument))


_ENV = _Sandbox(autoescape=False, undefined=_Missing, keep_trailing_newline=True)
_ENV.globals.clear()
_ENV.filters = {name: _ENV.filters[name] for name in FILTERS}
_ENV.tests = {name: _ENV.tests[name] for name in ("defined", "undefined", "none")}


def check(template: str, *, field: str = "body") -> None:
    """Refuse (400 ``invalid_template``) what the cut-down language does not allow, naming it,
    so a reply that saves can always be rendered."""
    try:
        tree = _ENV.parse(template)
    except TemplateSyntaxError as error:
        raise BadRequest(
            f"{field}: placeholder error on line {error.lineno}: {error.message}",
            code="invalid_template",
        ) from None
    for node in tree.find_all(nodes.Node):
        _check_node(node, field)


def _check_node(node: nodes.Node, field: str) -> None:
    def refuse(what: str) -> None:
        raise BadRequest(f"{field}: {what} (line {node.lineno})", code="invalid_template")

    if not isinstance(node, _ALLOWED):
        refuse(f"{type(node).__name__.lower()} is not allowed in a saved reply")
    if isinstance(node, nodes.Name) and node.name not in FIELDS:
        refuse(f"unknown placeholder {node.name!r}: use visitor.… or agent.…")
    if isinstance(node, nodes.Getattr | nodes.Getitem) and isinstance(node.node, nodes.Name):
        key = node.attr if isinstance(node, nodes.Getattr) else _const(node.arg)
        if key not in FIELDS.get(node.node.name, set()):
            known = ", ".join(sorted(FIELDS.get(node.node.name, set())))
            refuse(f"unknown placeholder {node.node.name}.{key}: known are {known}")
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        refuse(f"unknown filter {node.name!r}: use one of {', '.join(FILTERS)}")


def _const(node: nodes.Node) -> object:
    return node.value if isinstance(node, nodes.Const) else None


@dataclass(frozen=True)
class People:
    """Whom a reply is rendered for: the conversation's visitor, the agent inserting it."""

    visitor_name: str | None
    visitor_email: str | None
    attributes: Mapping[str, Any]
    agent_name: str | None


def _first(name: str | None) -> str | None:
    words = (name or "").split()
    return words[0] if words else None


def _known(values: dict[str, Any]) -> dict[str, Any]:
    """Blank text is unknown, so the fallback or ``default`` applies."""
    return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}


def render(template: str, people: People) -> str:
    """The reply's text for these people. A template that fails (a comparison of a visitor's
    text with a number, say) is a 400 naming why, never a 500."""
    check(template)
    context = {
        "visitor": _Visitor(
            _known(
                {
                    "name": (people.visitor_name or "").strip(),
                    "first_name": _first(people.visitor_name),
                    "email": people.visitor_email,
                    "attributes": dict(_known(dict(people.attributes))),
                }
            )
        ),
        "agent": _Agent(
            _known(
                {"name": (people.agent_name or "").strip(), "first_name": _first(people.agent_name)}
            )
        ),
    }
    try:
        text = _ENV.from_string(template).render(context)
    except Exception as error:
        raise BadRequest(
            f"this reply cannot be filled in for this visitor: {error}", code="template_failed"
        ) from None
    if len(text) > MAX_RENDERED:
        raise BadRequest(
            f"filled in, this reply is longer than {MAX_RENDERED} characters",
            code="template_failed",
        )
    return text
