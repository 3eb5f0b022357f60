"""Write the committed contracts: gateway/schema.graphql and each service's openapi.json.

A test fails when the code and these files drift apart; run `make schema` after a change.
"""

from __future__ import annotations

import json
from pathlib import Path

from gateway.config import GatewaySettings
from gateway.schema import build_schema
from services.intake.app import create_app as intake_app
from services.intake.config import IntakeSettings
from services.notify.app import create_app as notify_app
from services.notify.config import NotifySettings
from services.registry.app import create_app as registry_app
from services.registry.config import RegistrySettings
from services.review.app import create_app as review_app
from services.review.config import ReviewSettings

ROOT = Path(__file__).parent.parent
SCHEMA_FILE = ROOT / "gateway" / "schema.graphql"


def current_sdl() -> str:
    return build_schema(GatewaySettings()).as_str() + "\n"


def current_openapi() -> dict[Path, str]:
    apps = {
        "registry": registry_app(RegistrySettings()),
        "intake": intake_app(IntakeSettings()),
        "review": review_app(ReviewSettings()),
        "notify": notify_app(NotifySettings()),
    }
    return {
        ROOT / "services" / name / "openapi.json": json.dumps(
            app.openapi_schema.to_schema(), indent=2, sort_keys=True
        )
        + "\n"
        for name, app in apps.items()
    }


def main() -> None:
    SCHEMA_FILE.write_text(current_sdl())
    print(f"wrote {SCHEMA_FILE.relative_to(ROOT)}")
    for path, text in current_openapi().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
