"""`python -m shared.migrate <migrations dir> <log format>`: Alembic's upgrade to head in a
process of its own (`shared.db.migrate_async`), the database URL from its environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shared.db import MIGRATE_URL, migrate
from shared.logging import configure_logging


def main() -> None:
    migrations_dir, log_format = Path(sys.argv[1]), sys.argv[2]
    configure_logging(f"{migrations_dir.parent.name}.migrations", log_format)
    migrate(migrations_dir, os.environ[MIGRATE_URL])


if __name__ == "__main__":
    main()
