"""Migrations run in a process of their own (`python -m shared.migrate`): Alembic, mako and
pygments (~10 MB) never load into a service."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import gateway.app, services.intake.app, services.notify.app, services.registry.app
import services.review.app
print(sorted(m for m in ("alembic", "mako", "pygments") if m in sys.modules))
"""


def test_no_service_imports_alembic() -> None:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
