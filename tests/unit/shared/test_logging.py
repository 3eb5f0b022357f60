"""Production logs: one JSON object per line, carrying the trace id that crossed HTTP or NATS."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.trace.span import TraceState

from shared.logging import configure_logging
from shared.settings import ServiceSettings, load_settings
from shared.tracing import parse_traceparent

# The environment compose gives every service.
PRODUCTION = {"PORTAL_ENVIRONMENT": "production", "PORTAL_LOG_FORMAT": "json",
              "PORTAL_INTERNAL_SECRET": "a-production-secret-0123456789abcdef"}  # fmt: skip
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def root_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """configure_logging replaces the root handlers: give it a list of its own, and put
    pytest's list and level back afterwards."""
    root = logging.getLogger()
    level = root.level
    monkeypatch.setattr(root, "handlers", [])
    yield root
    root.setLevel(level)


def test_production_logs_are_json_lines_with_the_trace_id(
    capsys: pytest.CaptureFixture[str], root_logger: logging.Logger
) -> None:
    settings = load_settings(ServiceSettings, "REGISTRY", PRODUCTION)
    configure_logging("registry", settings.log_format)
    log = logging.getLogger("registry.api")
    span_context = parse_traceparent(TRACEPARENT)
    assert span_context is not None
    with trace.use_span(trace.NonRecordingSpan(span_context)):
        log.info("call %s published", "c-1")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("handling failed\non two lines")
    log.warning("outside any request")

    lines = capsys.readouterr().err.splitlines()
    configured, published, failed, outside = [json.loads(line) for line in lines]
    assert configured["message"] == "logging configured (json)"
    assert published == {"time": published["time"], "level": "info", "logger": "registry.api",
                         "message": "call c-1 published", "trace_id": TRACE}  # fmt: skip
    assert published["time"].endswith("+00:00")
    assert failed["trace_id"] == TRACE and failed["message"] == "handling failed\non two lines"
    assert "RuntimeError: boom" in failed["exception"]
    assert "trace_id" not in outside and outside["level"] == "warning"


@pytest.mark.parametrize(("logger", "message", "level"), [
    ("uvicorn.error", "Invalid HTTP request received.", "INFO"),
    ("uvicorn.error", "Unsupported upgrade request.", "INFO"),
    ("uvicorn.error", "Exceeded concurrency limit.", "WARNING"),  # an operator's matter
    ("portal.requests", "Invalid HTTP request received.", "WARNING"),  # not uvicorn's
])  # fmt: skip
def test_a_clients_malformed_request_is_told_at_info_not_as_a_warning(
    capsys: pytest.CaptureFixture[str], root_logger: logging.Logger, logger: str, message: str,
    level: str,
) -> None:  # fmt: skip
    configure_logging("gateway")
    logging.getLogger(logger).warning(message)
    [line] = [line for line in capsys.readouterr().err.splitlines() if message in line]
    assert f" {level} " in f" {line} ", line


def test_a_malformed_tracestate_header_is_told_at_info(
    capsys: pytest.CaptureFixture[str], root_logger: logging.Logger
) -> None:
    configure_logging("gateway")
    TraceState.from_header(["not a member"])
    [line] = [line for line in capsys.readouterr().err.splitlines() if "not a member" in line]
    assert line.split()[0] == "INFO", line
