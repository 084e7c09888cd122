"""Labels on conversations and the team's list of them: the rules a name and a list entry follow.

Agents label conversations by name; a name nobody used before joins the list in the default
colour, in the same transaction; admins create, rename, recolour, describe and delete list
entries, and a rename or delete reaches every conversation carrying the name in the same
transaction. The SQL for both is ``conversation/store/labels.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parley.errors import BadRequest

MAX_LABEL = 40
_LABEL = re.compile(r"^\w[\w .:-]*$")
MAX_LABELS = 20
MAX_DESCRIPTION = 200
# Chip colours (docs/console.md): each has a tint and a dark text that reads on it (AA).
LABEL_COLOURS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple")
DEFAULT_LABEL_COLOUR = LABEL_COLOURS[0]


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    colour: str
    description: str | None
    created_by: str | None
    created_at: datetime

    def public(self) -> dict[str, Any]:
        """What every console needs to draw a chip and suggest the name."""
        return {
            "id": self.id,
            "name": self.name,
            "colour": self.colour,
            "description": self.description,
        }


def check_colour(colour: str) -> str:
    if colour not in LABEL_COLOURS:
        raise BadRequest(f"colour is one of {', '.join(LABEL_COLOURS)}", code="invalid_colour")
    return colour


def check_description(text: str) -> str | None:
    """One line, at most 200 characters; empty means none."""
    text = " ".join(text.split())
    if len(text) > MAX_DESCRIPTION:
        raise BadRequest(
            f"a description is at most {MAX_DESCRIPTION} characters", code="invalid_description"
        )
    return text or None


def clean_label(text: str) -> str:
    """One spelling per label: trimmed, inner spaces collapsed, case-folded, short, made of
    letters, digits, spaces and ``- _ . :`` (so it fits in a URL path segment as it is)."""
    label = " ".join(text.split()).casefold()
    if len(label) > MAX_LABEL or not _LABEL.match(label):
        raise BadRequest(
            f"a label is 1 to {MAX_LABEL} letters, digits, spaces or - _ . :",
            code="invalid_label",
        )
    return label
