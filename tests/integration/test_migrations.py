"""Migrations on real PostgreSQL: a database behind its head is migrated, one at its head is
left alone without Alembic ever loading (the launcher migrates every database before the
services start, so none of them carries Alembic, Mako and Pygments)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.db import head_revision, migrate_async, revision_of
from tests.fixtures.servers import Postgres

ROOT = Path(__file__).resolve().parents[2]
INTAKE = ROOT / "services" / "intake" / "migrations"

# What a service does at start, in a process of its own: did Alembic load?
START = """
import asyncio, sys
from pathlib import Path
from shared.db import migrate_async
asyncio.run(migrate_async(Path(sys.argv[1]), sys.argv[2]))
print("alembic" in sys.modules, "mako" in sys.modules)
"""


async def started_on(url: str) -> str:
    """In a worker thread: the session's event loop keeps serving the other tests' apps."""
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", START, str(INTAKE), url],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return done.stdout.strip()


async def test_a_new_database_is_migrated_to_its_head(postgres: Postgres) -> None:
    url = await postgres.new_database("mig")
    assert await revision_of(url) is None
    assert await started_on(url) == "True True"
    assert await revision_of(url) == head_revision(INTAKE) == "0002"


async def test_a_database_at_its_head_starts_without_alembic(postgres: Postgres) -> None:
    url = await postgres.new_database("mig")
    await migrate_async(INTAKE, url)
    assert await started_on(url) == "False False"
    assert await revision_of(url) == head_revision(INTAKE)


async def test_a_database_behind_its_head_is_upgraded(postgres: Postgres) -> None:
    url = await postgres.new_database("mig")
    config = Config()
    config.set_main_option("script_location", str(INTAKE))
    config.set_main_option("sqlalchemy.url", url)
    await asyncio.to_thread(command.upgrade, config, "0001")  # Alembic runs its own loop
    assert await revision_of(url) == "0001"
    await migrate_async(INTAKE, url)
    assert await revision_of(url) == "0002"
