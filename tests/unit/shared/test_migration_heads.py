"""The head revision a service compares its database with at start, read from the scripts
without Alembic, is Alembic's own head for every migrations folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from shared.db import head_revision

ROOT = Path(__file__).resolve().parents[3]
FOLDERS = sorted([ROOT / "gateway" / "migrations", *(ROOT / "services").glob("*/migrations")])


def test_every_service_has_its_migrations() -> None:
    assert [f.parent.name for f in FOLDERS] == [
        "gateway", "intake", "notify", "registry", "review"
    ]  # fmt: skip


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_head_is_alembics(folder: Path) -> None:
    assert head_revision(folder) == ScriptDirectory(str(folder)).get_current_head()


def script(revision: str, down: str | None) -> str:
    down_text = "None" if down is None else f'"{down}"'
    return (f'"""{revision}"""\nrevision: str = "{revision}"\n'
            f"down_revision: str | None = {down_text}\n")  # fmt: skip


def test_the_newest_of_a_chain_is_the_head(tmp_path: Path) -> None:
    (tmp_path / "versions").mkdir()
    for revision, down in [("a1", None), ("b2", "a1"), ("c3", "b2")]:
        (tmp_path / "versions" / f"{revision}.py").write_text(script(revision, down))
    assert head_revision(tmp_path) == "c3"


def test_two_heads_are_refused(tmp_path: Path) -> None:
    (tmp_path / "versions").mkdir()
    for revision, down in [("a1", None), ("b2", "a1"), ("c3", "a1")]:
        (tmp_path / "versions" / f"{revision}.py").write_text(script(revision, down))
    with pytest.raises(RuntimeError, match=r"one head revision, found \['b2', 'c3'\]"):
        head_revision(tmp_path)
