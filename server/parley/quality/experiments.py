"""A/B tests of saved replies: start one, draw a conversation's variant, record its use, measure.

A reply under test holds 2-4 wordings. Inserting it draws one at random for the conversation and
keeps that draw (every later insert in that conversation gets the same wording), so a visitor
never sees two versions and each conversation belongs to one arm. The reply sent records the
saved reply, test and variant on its ``agent_reply`` event; the measures read those events, the
episodes and the (append-only) messages:

- **CSAT**: of the episodes rated, the share rated 4 or 5;
- **stayed resolved**: of the episodes resolved, the share not reopened within 7 days (an episode
  resolved less than 7 days ago and not reopened yet is still pending and not counted);
- **asked again**: of the episodes that ended, the share where the visitor wrote again after the
  reply and before the episode was resolved (lower is better).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from parley import clock
from parley.db import Database
from parley.errors import BadRequest, Conflict
from parley.quality import stats
from parley.quality.store import experiments as store
from parley.quality.store.experiments import Experiment, Use

MIN_VARIANTS = 2
MAX_VARIANTS = 4
MAX_BODY = 5000  # as a saved reply's text
SATISFIED = 4  # a rating of 4 or 5 counts as satisfied (the usual CSAT definition)
REOPEN_WINDOW = timedelta(days=7)
LABELS = "ABCD"
METHOD = (
    "Rates carry 95% Wilson score intervals. Each variant is compared with A by a two-sided "
    "two-proportion z-test, or Fisher's exact test when any expected count is below 5; with more "
    "than two variants the p-values are Holm-adjusted. A difference is significant at p < 0.05."
)


def label(number: int) -> str:
    return LABELS[number]


def validate_variants(bodies: object) -> list[str]:
    if not isinstance(bodies, list) or not MIN_VARIANTS <= len(bodies) <= MAX_VARIANTS:
        raise BadRequest(
            f"a test needs {MIN_VARIANTS} to {MAX_VARIANTS} variants", code="invalid_variants"
        )
    for body in bodies:
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_BODY:
            raise BadRequest(
                f"each variant must be 1 to {MAX_BODY} characters", code="invalid_variants"
            )
    if len(set(bodies)) != len(bodies):
        raise BadRequest("two variants have the same text", code="invalid_variants")
    return list(bodies)


async def start(db: Database, saved_reply_id: str, bodies: object, agent_id: str) -> Experiment:
    return await store.start_experiment(db, saved_reply_id, validate_variants(bodies), agent_id)


@dataclass(frozen=True)
class Drawn:
    """What inserting a saved reply in a conversation puts in the composer."""

    experiment_id: str | None
    variant: int | None
    body: str


async def draw(db: Database, saved_reply_id: str, default_body: str, conversation_id: str) -> Drawn:
    """The reply's text for this conversation: its drawn variant while a test runs."""
    running = (await store.running_experiments(db)).get(saved_reply_id)
    if running is None:
        return Drawn(None, None, default_body)
    variant = await store.pick(
        db, running.id, conversation_id, secrets.randbelow(len(running.variants))
    )
    return Drawn(running.id, variant, running.variants[variant])


async def reply_use(
    db: Database, conversation_id: str, saved_reply_id: str, variant: int | None
) -> dict[str, Any]:
    """What a reply sent from a saved reply records on its ``agent_reply`` event.

    A variant must be the one this conversation drew, so the record cannot be steered to an
    arm the visitor never saw.
    """
    if variant is None:
        return {"saved_reply": saved_reply_id}
    drawn = await store.pick_of(db, saved_reply_id, conversation_id)
    if drawn is None or drawn[1] != variant:
        raise BadRequest("this conversation did not draw that variant", code="variant_not_drawn")
    return {"saved_reply": saved_reply_id, "experiment": drawn[0], "variant": variant}


async def end(db: Database, experiment_id: str, winner: object) -> Experiment:
    experiment = await store.experiment_by_id(db, experiment_id)
    if (
        not isinstance(winner, int)
        or isinstance(winner, bool)
        or not (0 <= winner < len(experiment.variants))
    ):
        raise BadRequest("winner must be one of the test's variants", code="invalid_winner")
    if experiment.ended_at is not None:
        raise Conflict("this test has ended", code="test_not_running")
    return await store.end_experiment(db, experiment_id, winner)


# --- results --------------------------------------------------------------------------------


@dataclass
class Tally:
    successes: int = 0
    trials: int = 0

    def add(self, success: bool) -> None:
        self.trials += 1
        self.successes += success


MEASURES = ("csat", "stayed_resolved", "asked_again")


async def results(db: Database, experiment_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Counts, rates with intervals and each variant's test against A, for the results page."""
    now = now or clock.now()
    experiment = await store.experiment_by_id(db, experiment_id)
    uses = await store.uses_of(db, experiment_id)
    outcomes = await store.outcomes_of(db, ((u.conversation_id, u.episode) for u in uses))
    conversation_ids = {u.conversation_id for u in uses}
    reopens = await store.reopen_times(db, conversation_ids, experiment.started_at)
    visitor_says = await store.visitor_message_times(db, conversation_ids, experiment.started_at)
    tallies = [{name: Tally() for name in MEASURES} for _ in experiment.variants]
    episodes = [0] * len(experiment.variants)
    for use in uses:
        if not 0 <= use.variant < len(tallies):
            continue
        episodes[use.variant] += 1
        outcome = outcomes.get((use.conversation_id, use.episode))
        if outcome is None:
            continue
        tally = tallies[use.variant]
        if outcome.rating is not None:
            tally["csat"].add(outcome.rating >= SATISFIED)
        if outcome.resolved_at is not None:
            _measure_resolution(tally, use, outcome.resolved_at, reopens, visitor_says, now)
    return {
        "experiment": public(experiment),
        "method": METHOD,
        "variants": [
            {
                "number": number,
                "label": label(number),
                "body": body,
                "episodes": episodes[number],
                "measures": {name: _rate(tallies, number, name) for name in MEASURES},
            }
            for number, body in enumerate(experiment.variants)
        ],
    }


def _measure_resolution(
    tally: dict[str, Tally],
    use: Use,
    resolved_at: datetime,
    reopens: dict[str, list[datetime]],
    visitor_says: dict[str, list[datetime]],
    now: datetime,
) -> None:
    window_end = resolved_at + REOPEN_WINDOW
    reopened = any(resolved_at < at <= window_end for at in reopens.get(use.conversation_id, ()))
    if reopened or now >= window_end:
        tally["stayed_resolved"].add(not reopened)
    asked = any(use.at < at < resolved_at for at in visitor_says.get(use.conversation_id, ()))
    tally["asked_again"].add(asked)


def _rate(tallies: list[dict[str, Tally]], number: int, name: str) -> dict[str, Any]:
    tally = tallies[number][name]
    interval = stats.wilson(tally.successes, tally.trials)
    shown: dict[str, Any] = {
        "successes": tally.successes,
        "trials": tally.trials,
        "rate": tally.successes / tally.trials if tally.trials else None,
        "interval": [interval.low, interval.high] if interval else None,
        "versus_a": None,
    }
    comparisons = _against_a(tallies, name)
    if number > 0 and comparisons[number - 1] is not None:
        shown["versus_a"] = comparisons[number - 1]
    return shown


def _against_a(tallies: list[dict[str, Tally]], name: str) -> list[dict[str, Any] | None]:
    """Each of B, C, D against A on ``name``, Holm-adjusted over the comparisons made."""
    a = tallies[0][name]
    made: list[tuple[int, stats.Comparison]] = []
    for index, variant in enumerate(tallies[1:]):
        other = variant[name]
        if a.trials and other.trials:
            made.append(
                (index, stats.compare(other.successes, other.trials, a.successes, a.trials))
            )
    adjusted = stats.holm([comparison.p_value for _, comparison in made])
    found: list[dict[str, Any] | None] = [None] * (len(tallies) - 1)
    for (index, comparison), p_adjusted in zip(made, adjusted, strict=True):
        found[index] = {
            "test": comparison.test,
            "statistic": comparison.statistic,
            "p_value": comparison.p_value,
            "p_adjusted": p_adjusted,
            "significant": p_adjusted < stats.ALPHA,
        }
    return found


def public(experiment: Experiment) -> dict[str, Any]:
    return {
        "id": experiment.id,
        "saved_reply_id": experiment.saved_reply_id,
        "started_at": clock.iso(experiment.started_at),
        "ended_at": clock.iso(experiment.ended_at) if experiment.ended_at else None,
        "running": experiment.ended_at is None,
        "winner": experiment.winner,
        "variants": [
            {"number": n, "label": label(n), "body": body}
            for n, body in enumerate(experiment.variants)
        ],
    }


async def summary_of(db: Database, saved_reply_id: str) -> list[dict[str, Any]]:
    """A reply's tests for the console, newest first."""
    return [public(experiment) for experiment in await store.experiments_of(db, saved_reply_id)]
