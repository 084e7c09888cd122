"""Placeholders: what an agent may write (checked on save) and what a hostile visitor's values
can do when the reply is filled in (nothing but print as text)."""

from __future__ import annotations

import pytest

from parley.errors import BadRequest
from parley.replies.placeholders import MAX_RENDERED, People, check, render

VERA = People("Vera Novak", "vera@example.com", {"plan": "Pro", "seats": 3}, "Ada Lovelace")
NOBODY = People(None, None, {}, None)


def test_fields_attributes_and_defaults_are_filled() -> None:
    text = (
        "Hi {{visitor.first_name}} ({{ visitor.email }}), your {{visitor.attributes.plan"
        ' | default("plan")}} plan, {{ visitor.attributes.region | default("your region") }}.'
        " {{agent.first_name}}"
    )
    assert render(text, VERA) == "Hi Vera (vera@example.com), your Pro plan, your region. Ada"


def test_unknown_values_fall_back_as_before() -> None:
    text = "Hi {{visitor.name}}, {{visitor.email}}. {{agent.name}}{{visitor.attributes.plan}}!"
    assert render(text, NOBODY) == "Hi there, your email address. your support team!"
    blank = People("   ", "", {"plan": "  "}, "Ada")
    assert render('{{visitor.attributes.plan | default("a plan")}}', blank) == "a plan"


def test_conditions_on_attributes() -> None:
    text = "{% if visitor.attributes.seats > 2 %}team{% else %}solo{% endif %}"
    assert render(text, VERA) == "team"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ visitor.__class__ }}", "unknown placeholder visitor.__class__"),
        ("{{ visitor.attributes.plan.__class__.__mro__ }}", None),  # keys only: prints nothing
        ("{{ visitor.attributes.keys() }}", "call is not allowed"),
        ("{% for a in visitor.attributes %}{{a}}{% endfor %}", "for is not allowed"),
        ('{{ "x" * 100000000 }}', "mul is not allowed"),
        ("{{ 9 ** 9 ** 9 }}", "pow is not allowed"),
        ('{{ "%999999999s" % 1 }}', "mod is not allowed"),
        ("{% set x = 1 %}", "assign is not allowed"),
        ("{{ visitor.name | center(100000000) }}", "unknown filter 'center'"),
        ("{{ cycler }}", "unknown placeholder 'cycler'"),
        ("{{ visitor.nickname }}", "unknown placeholder visitor.nickname"),
        ("Hi {{ visitor.name", "placeholder error on line 1"),
        ("{% include 'x' %}", "include is not allowed"),
    ],
)
def test_what_the_cut_down_language_refuses(template: str, says: str | None) -> None:
    if says is None:
        check(template)
        assert render(template, VERA) == ""
        return
    with pytest.raises(BadRequest, match=says) as refused:
        check(template)
    assert refused.value.code == "invalid_template"


def test_a_visitors_values_are_text_never_template() -> None:
    hostile = People("{{ agent.name }}", None, {"plan": "{% for x in y %}{{ 7*7 }}"}, "Ada")
    text = render("{{visitor.name}} / {{visitor.attributes.plan}}", hostile)
    assert text == "{{ agent.name }} / {% for x in y %}{{ 7*7 }}"


def test_a_value_that_breaks_the_reply_is_a_clear_400() -> None:
    text = "{% if visitor.attributes.plan > 2 %}big{% endif %}"  # "Pro" > 2
    with pytest.raises(BadRequest, match="cannot be filled in for this visitor") as failed:
        render(text, VERA)
    assert failed.value.code == "template_failed"
    huge = People("x" * 1000, None, {}, None)
    with pytest.raises(BadRequest, match=f"longer than {MAX_RENDERED}"):
        render("{{visitor.name}}" * 6, huge)
