"""A conversation's status: the closed set PROTOCOL.md names, and which of them are open."""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["bot", "queued", "assigned", "resolved"]
STATUSES: tuple[Status, ...] = get_args(Status)
OPEN_STATUSES: tuple[Status, ...] = ("bot", "queued", "assigned")
WAITING_STATUSES: tuple[Status, ...] = ("bot", "queued")  # nobody holds it yet
