"""The object store's SDK and the filesystem failing are outages: 503 with a retry hint and no
detail of theirs; a real bug stays a 500 internal_error."""

from __future__ import annotations

import pytest
import urllib3.exceptions
from litestar import Litestar, get
from litestar.testing import TestClient
from minio.error import S3Error

from shared.objectstore.s3 import STORE_OUTAGES
from shared.web import OUTAGES, outage_response, unexpected_error_response

FAILURES: dict[str, Exception] = {
    "minio-unreachable": urllib3.exceptions.MaxRetryError(None, "/bucket", "Connection refused"),  # type: ignore[arg-type]
    "s3-error": S3Error("InternalError", "We encountered an internal error", "/b", "r", "h", None),  # type: ignore[arg-type]
    "disk": OSError(5, "Input/output error", "/data/objects/x"),
    "bug": KeyError("internal_key"),
}


@get("/{name:str}", sync_to_thread=False)
def fail(name: str) -> None:
    raise FAILURES[name]


APP = Litestar(
    [fail],
    exception_handlers={
        # As intake's spec adds the store's SDK errors to every service's outages.
        **dict.fromkeys((*OUTAGES, *STORE_OUTAGES), outage_response),
        Exception: unexpected_error_response,
    },
)


@pytest.mark.parametrize("name", ["minio-unreachable", "s3-error", "disk"])
def test_a_store_outage_is_a_503_with_a_retry_hint(name: str) -> None:
    with TestClient(APP) as client:
        response = client.get(f"/{name}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["code"] == "service_unavailable" and body["retry_after_seconds"] == 5
    for detail in ("Connection refused", "InternalError", "Input/output", "/data", "bucket"):
        assert detail not in response.text


def test_a_bug_stays_an_internal_error() -> None:
    with TestClient(APP) as client:
        response = client.get("/bug")
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert "internal_key" not in response.text


def test_only_intake_loads_the_store_sdk() -> None:
    """The gateway and the other services never import minio (10 MB of resident memory)."""
    import subprocess
    import sys

    probe = "import sys, gateway.app, services.review.app; print('minio' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"
