# The two commands: `make dev` starts the portal, `make test` checks it.
# Only Python 3.11 and make are needed; uv is installed into .tools on first use.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: dev test system-packages lint typecheck unit mutation schema sync clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

sync: $(UV)
	$(UV) sync --frozen

dev: sync
	$(RUN) python -m infra.stack

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: sync
	$(RUN) mypy

test: sync system-packages lint typecheck
	$(RUN) pytest

# Debian packages the tests use: Chromium for the browser tests (Playwright cannot download
# its own here) and docker-compose to check docker-compose.yml (no Docker engine runs here).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 \
		|| missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian's$$missing for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

unit: sync
	$(RUN) pytest tests/unit

# Mutation testing of every services/*/domain against the unit tests (not part of `make test`):
# per domain the mutants, killed and survived; fails below 95 % killed. Copies into mutants/.
mutation: sync
	$(RUN) python tools/mutation.py --fresh

schema: sync
	$(RUN) python -m gateway.export_schema

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache mutants
