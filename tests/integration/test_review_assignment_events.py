"""Review tells each evaluator about their work: `AssignmentMade` for every new assignment
(automatic, a hand move's target, a repair's replacement), `AssignmentMovedAway` exactly for
the evaluator who lost work, `EvaluationSubmitted`; each written in the transaction of the
change (read back from review's outbox) and relayed to JetStream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import select

from services.review.models import OutboxEvent
from shared.contracts import review as review_events
from shared.events import decode_envelope
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Nats
from tests.fixtures.streams import first_on_stream
from tests.integration.test_intake_graphql import apply_to, publish_call
from tests.integration.test_review_graphql import evaluate, invite, pick_pool, scores
from tests.integration.test_review_pool import MOVE, REMOVE, assign_after_deadline, matrix_of

ASSIGNMENT_EVENTS = (
    review_events.AssignmentMade,
    review_events.AssignmentMovedAway,
    review_events.EvaluationSubmitted,
)
MINE = "{ myAssignments { id applicationId applicationTitle dueAt callTimezone } }"
DECLARE = """mutation($a: ID!) { declareConflict(applicationId: $a, reason: "my cousin's firm") {
  __typename } }"""

# (kind, assignment id, evaluator id, application id): what each event says happened.
Fact = tuple[str, str, str, str]


class ReviewNews:
    """The assignment events review wrote for one call, read from its outbox since the last
    look (each is in the outbox once the change's transaction has committed)."""

    def __init__(self, portal: Portal, call_id: str) -> None:
        self.portal = portal
        self.call_id = call_id
        self.seen: set[uuid.UUID] = set()
        self.events: list[review_events.AssignmentFacts] = []

    async def since_last(self) -> set[Fact]:
        subjects = [c.subject for c in ASSIGNMENT_EVENTS]
        async with self.portal.review.app.state.runtime.session_factory() as session:
            rows = (await session.execute(
                select(OutboxEvent.id, OutboxEvent.body)
                .where(OutboxEvent.subject.in_(subjects)).order_by(OutboxEvent.created_at)
            )).all()  # fmt: skip
        new = []
        for event_id, body in rows:
            event = decode_envelope(body).payload()
            if event_id not in self.seen and event.call_id == self.call_id:
                self.seen.add(event_id)
                new.append(event)
        self.events += new
        return {(type(e).__name__, e.assignment_id, e.evaluator_id, e.application_id) for e in new}


def made(cell: dict[str, Any], app: str) -> Fact:
    return ("AssignmentMade", cell["assignmentId"], cell["evaluatorId"], app)


def moved_away(cell: dict[str, Any], app: str) -> Fact:
    return ("AssignmentMovedAway", cell["assignmentId"], cell["evaluatorId"], app)


async def holders(gql: GraphQLClient, admin: str, call: str) -> dict[str, dict[str, Any]]:
    """Each application's one assignment cell (the call has one evaluator per application)."""
    matrix = await matrix_of(gql, admin, call)
    found = {}
    for line in matrix["applications"]:
        [cell] = line["assignments"]
        found[line["applicationId"]] = cell
    return found


@pytest.fixture
async def js(nats_server: Nats) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(nats_server.url)
    yield client.jetstream()
    await client.close()


async def relayed(js: JetStreamContext, event: review_events.AssignmentFacts) -> Any:
    """The same event as JetStream holds it (found by its subject and content)."""
    return await first_on_stream(js, event.subject, lambda found: found == event)


async def test_every_evaluator_hears_of_work_given_and_taken(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, js: JetStreamContext
) -> None:
    admin = tokens.admin
    deadline = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    call = await publish_call(
        gql, tokens, blind=True, evaluatorsPerApplication=1, timezone="Europe/Lisbon",
        evaluationDeadline=deadline.isoformat(),
    )  # fmt: skip
    organisations = [f"Makers {uuid.uuid4().hex[:6]}" for _ in range(2)]
    apps = [
        (await apply_to(gql, call, {"name": name, "type": "ngo", "country": "NL"}, 1000,
                        {"title": f"Repair kits {i}"}))[0]
        for i, name in enumerate(organisations)
    ]  # fmt: skip
    evaluators = dict([await invite(gql, admin) for _ in range(3)])
    await pick_pool(gql, admin, call, evaluators, capacity=1)
    news = ReviewNews(portal, call)

    # The automatic assignment: one event per new assignment, none taken away.
    await assign_after_deadline(gql, portal, admin, call, 2)
    first = await holders(gql, admin, call)
    assert await news.since_last() == {made(first[a], a) for a in apps}
    for event in news.events:
        assert isinstance(event, review_events.AssignmentMade)
        assert (event.due_at, event.call_timezone) == (deadline, "Europe/Lisbon")
        # What the evaluator's own page shows: the project's title, never the organisation.
        [shown] = [a for a in (await gql(MINE, token=evaluators[event.evaluator_id]))[
            "myAssignments"] if a["id"] == event.assignment_id]  # fmt: skip
        assert event.application_title == shown["applicationTitle"]
        assert event.application_title == f"Repair kits {apps.index(event.application_id)}"
        assert datetime.fromisoformat(shown["dueAt"]) == deadline
    assert await relayed(js, news.events[0]) == news.events[0]

    # A hand move: the holder loses it, the target gets it.
    a1, a2 = apps
    [free] = set(evaluators) - {first[a]["evaluatorId"] for a in apps}
    moved = (await gql(MOVE, {"a": first[a1]["assignmentId"], "to": free}, admin))["moveAssignment"]
    assert moved["__typename"] == "MatrixCell", moved
    assert await news.since_last() == {moved_away(first[a1], a1), made(moved, a1)}

    # A conflict declared by the new holder: the repair takes it from them alone and gives it
    # back to the evaluator who is free again (the same assignment as before the move).
    declared = await gql(DECLARE, {"a": a1}, evaluators[free])
    assert declared["declareConflict"]["__typename"] == "ConflictDeclared", declared
    repaired = await holders(gql, admin, call)
    assert repaired[a1] == {**first[a1], "status": "not_started"}
    assert await news.since_last() == {moved_away(moved, a1), made(repaired[a1], a1)}

    # Leaving the pool takes the unfinished work from that evaluator only.
    leaving = first[a2]["evaluatorId"]
    removed = (await gql(REMOVE, {"c": call, "e": leaving}, admin))["removePoolMember"]
    assert removed["__typename"] == "AssignmentReport", removed
    after = await holders(gql, admin, call)
    assert after[a2]["evaluatorId"] == free  # in conflict with a1 only
    assert await news.since_last() == {moved_away(first[a2], a2), made(after[a2], a2)}

    # Submitting an evaluation is announced, with the same title.
    holder = after[a1]
    await evaluate(gql, evaluators[holder["evaluatorId"]], holder["assignmentId"], scores(4, 4, 4))
    assert await news.since_last() == {
        ("EvaluationSubmitted", holder["assignmentId"], holder["evaluatorId"], a1)
    }
    submitted = news.events[-1]
    assert submitted.application_title == "Repair kits 0"
    assert await relayed(js, submitted) == submitted

    # Every title the evaluators were sent is neutral: no organisation's name in any.
    assert not any(name in e.application_title for e in news.events for name in organisations)
