"""Structured logs: one JSON object a line in production, each with the W3C trace id of the
request or event it belongs to (shared.tracing), and one line per HTTP request."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from opentelemetry import trace

from shared.tracing import PROBES, TRACE_HEADER, current_trace_id

__all__ = ["TRACE_HEADER", "configure_logging", "current_trace_id", "request_log"]

REQUESTS = logging.getLogger("portal.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        # A request line's method, path, status, duration and service, as fields.
        entry.update(getattr(record, "fields", {}))
        trace_id = current_trace_id()
        if trace_id:
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        trace_id = current_trace_id()
        line = f"{record.levelname:<7} {record.name}: {record.getMessage()}"
        if trace_id:
            line += f" [trace {trace_id[:12]}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class ToldAtInfo(logging.Filter):
    """A library's warning that only tells what a client sent, told at INFO: nothing an
    operator can act on. `messages`: which of the logger's warnings (None: all of them)."""

    def __init__(self, messages: frozenset[str] | None = None) -> None:
        super().__init__()
        self.messages = messages

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and (
            self.messages is None or record.getMessage() in self.messages
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


CLIENT_MISTAKES: dict[str, frozenset[str] | None] = {
    # A request uvicorn could not parse (it answered 400), an upgrade it does not serve (the
    # request goes on without it). Its other warnings (the concurrency limit) stay warnings.
    "uvicorn.error": frozenset({"Invalid HTTP request received.", "Unsupported upgrade request."}),
    # A malformed `tracestate` header: dropped, the trace goes on.
    "opentelemetry.trace.span": None,
}


def configure_logging(service: str, fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    for name, messages in CLIENT_MISTAKES.items():
        logger = logging.getLogger(name)
        logger.filters[:] = [f for f in logger.filters if not isinstance(f, ToldAtInfo)]
        logger.addFilter(ToldAtInfo(messages))
    logging.getLogger(service).info("logging configured (%s)", fmt)


def request_log(service: str) -> Any:
    """Litestar middleware: one INFO line per request once its answer has started (DEBUG for
    the probes), inside its server span; the span is named by the route's template."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def logged(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            began, status = time.perf_counter(), 500
            path = scope.get("path_template") or scope["path"]
            trace.get_current_span().update_name(f"{scope['method']} {path}")

            async def status_of(message: Any) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, status_of)
            finally:
                ms = round((time.perf_counter() - began) * 1000, 1)
                fields = {"service": service, "method": scope["method"], "path": path,
                          "status": status, "duration_ms": ms}  # fmt: skip
                level = logging.DEBUG if path.startswith(PROBES) else logging.INFO
                REQUESTS.log(level, "%s %s %s %s %.1f ms", service, scope["method"], path,
                             status, ms, extra={"fields": fields})  # fmt: skip

        return logged

    return middleware
