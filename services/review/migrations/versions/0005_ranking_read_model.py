"""consensus and call_ranking: each application's consensus and each call's ranking kept as a
read model, invalidated by triggers on every table whose rows feed them

Whatever writes an input (a use case, a consumer, a migration, psql) fires a statement
trigger that first locks the call's call_ranking row (created if missing), marking the
ranking stale, then deletes the consensus rows the change concerns. Whoever stores consensus
or a ranking takes that same row lock first and reads the inputs after it: a write either
commits before the reader reads, or waits for the reader to commit and then invalidates what
it stored. (READ COMMITTED: each statement of a trigger function sees what committed before
it.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One statement each (asyncpg prepares every statement: one command at a time).
FUNCTIONS = [
    """
CREATE FUNCTION review_mark_stale(calls text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Locks each call's row, in call order (a statement touching two calls never
    -- deadlocks with another doing the same), even when it is stale already. A stale
    -- ranking keeps no lines: nothing an erasure removed stays behind in it.
    INSERT INTO call_ranking (call_id, stale, lines)
    SELECT c, true, '[]'::json
    FROM (SELECT DISTINCT c FROM unnest(calls) AS c WHERE c IS NOT NULL) AS changed ORDER BY c
    ON CONFLICT (call_id) DO UPDATE SET stale = true, lines = '[]'::json
    WHERE call_ranking.stale IS NOT TRUE;
END $$;
""",
    """
CREATE FUNCTION review_forget(apps text[], calls text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM review_mark_stale(calls);
    DELETE FROM consensus WHERE application_id = ANY (apps);
END $$;
""",
    """
-- An assignment counts by whether it is active, for its application, in its call.
CREATE FUNCTION review_assignment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM review_forget(array_agg(application_id), array_agg(call_id)) FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM review_forget(array_agg(application_id), array_agg(call_id)) FROM old_rows;
    ELSE
        PERFORM review_forget(array_agg(x.application_id), array_agg(x.call_id)) FROM (
            SELECT o.application_id, o.call_id, n.application_id AS a2, n.call_id AS c2
            FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
            WHERE (o.active, o.application_id, o.call_id)
                  IS DISTINCT FROM (n.active, n.application_id, n.call_id)
        ) changed, LATERAL (VALUES (changed.application_id, changed.call_id),
                                   (changed.a2, changed.c2)) AS x(application_id, call_id);
    END IF;
    RETURN NULL;
END $$;
""",
    """
-- An evaluation counts once submitted (its scores then); a draft changes nothing.
CREATE FUNCTION review_evaluation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM review_forget(array_agg(a.application_id), array_agg(a.call_id))
        FROM new_rows e JOIN assignment a ON a.id = e.assignment_id
        WHERE e.status = 'submitted';
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM review_forget(array_agg(a.application_id), array_agg(a.call_id))
        FROM old_rows e JOIN assignment a ON a.id = e.assignment_id
        WHERE e.status = 'submitted';
    ELSE
        PERFORM review_forget(array_agg(a.application_id), array_agg(a.call_id))
        FROM old_rows o FULL JOIN new_rows n ON n.assignment_id = o.assignment_id
        JOIN assignment a ON a.id IN (o.assignment_id, n.assignment_id)
        WHERE (o.status = 'submitted' OR n.status = 'submitted')
          AND (o.assignment_id, o.status, o.scores)
              IS DISTINCT FROM (n.assignment_id, n.status, n.scores);
    END IF;
    RETURN NULL;
END $$;
""",
    """
-- A moderator's settlement, whatever it says.
CREATE FUNCTION review_moderation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM review_forget(array_agg(m.application_id), array_agg(a.call_id))
        FROM new_rows m LEFT JOIN application a ON a.application_id = m.application_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM review_forget(array_agg(m.application_id), array_agg(a.call_id))
        FROM old_rows m LEFT JOIN application a ON a.application_id = m.application_id;
    END IF;
    RETURN NULL;
END $$;
""",
    """
-- An application's line in the ranking: whether it is in (submitted, not withdrawn), its
-- eligibility, requested amount, submission time and organisation.
CREATE FUNCTION review_application_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM review_forget(array_agg(application_id), array_agg(call_id)) FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM review_forget(array_agg(application_id), array_agg(call_id)) FROM old_rows;
    ELSE
        PERFORM review_forget(array_agg(x.application_id), array_agg(x.call_id)) FROM (
            SELECT o.application_id, o.call_id, n.application_id AS a2, n.call_id AS c2
            FROM old_rows o FULL JOIN new_rows n ON n.application_id = o.application_id
            WHERE (o.application_id, o.call_id, o.version, o.withdrawn, o.eligibility,
                   o.submitted_at, o.content -> 'requested_amount',
                   o.content -> 'organisation' -> 'name')
                  IS DISTINCT FROM
                  (n.application_id, n.call_id, n.version, n.withdrawn, n.eligibility,
                   n.submitted_at, n.content -> 'requested_amount',
                   n.content -> 'organisation' -> 'name')
        ) changed, LATERAL (VALUES (changed.application_id, changed.call_id),
                                   (changed.a2, changed.c2)) AS x(application_id, call_id);
    END IF;
    RETURN NULL;
END $$;
""",
    """
-- A call's rubric and evaluators per application feed every consensus of the call; its
-- budget only the ranking.
CREATE FUNCTION review_call_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM review_mark_stale(array_agg(call_id)) FROM new_rows;
        DELETE FROM consensus WHERE call_id IN (SELECT call_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM review_mark_stale(array_agg(call_id)) FROM old_rows;
        DELETE FROM consensus WHERE call_id IN (SELECT call_id FROM old_rows);
    ELSE
        PERFORM review_mark_stale(array_agg(n.call_id))
        FROM old_rows o JOIN new_rows n ON n.call_id = o.call_id
        WHERE (o.rubric, o.evaluators_per_application, o.terms_known, o.budget)
              IS DISTINCT FROM (n.rubric, n.evaluators_per_application, n.terms_known, n.budget);
        DELETE FROM consensus WHERE call_id IN (
            SELECT n.call_id FROM old_rows o JOIN new_rows n ON n.call_id = o.call_id
            WHERE (o.rubric, o.evaluators_per_application, o.terms_known)
                  IS DISTINCT FROM (n.rubric, n.evaluators_per_application, n.terms_known)
        );
    END IF;
    RETURN NULL;
END $$;
""",
]

# (table, the function its statement triggers run)
WATCHED = [
    ("assignment", "review_assignment_changed"),
    ("evaluation", "review_evaluation_changed"),
    ("moderation", "review_moderation_changed"),
    ("application", "review_application_changed"),
    ("known_call", "review_call_changed"),
]
# A trigger with transition tables fires on one event only.
EVENTS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.create_table(
        "consensus",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("consensus", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_consensus")),
    )
    op.create_index(op.f("ix_consensus_call_id"), "consensus", ["call_id"], unique=False)
    op.create_table(
        "call_ranking",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("stale", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("lines", postgresql.JSON(astext_type=sa.Text()), server_default="[]",
                  nullable=False),
        sa.Column("ranked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_ranking")),
    )  # fmt: skip
    # Written whole by each ranking (json: kept as text, no binary form to build), read
    # whole by each read of it: stored uncompressed.
    op.execute("ALTER TABLE call_ranking ALTER COLUMN lines SET STORAGE EXTERNAL")
    for function in FUNCTIONS:
        op.execute(function)
    for table, function in WATCHED:
        for event, referencing in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {table}_read_model_{event} AFTER {event.upper()} ON {table} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )


def downgrade() -> None:
    for table, _ in WATCHED:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {table}_read_model_{event} ON {table}")
    for function in [f for _, f in WATCHED] + ["review_forget", "review_mark_stale"]:
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("call_ranking")
    op.drop_index(op.f("ix_consensus_call_id"), table_name="consensus")
    op.drop_table("consensus")
