"""W3C trace context across HTTP and NATS, with OpenTelemetry's API and SDK.

Every process sets an SDK TracerProvider (no exporter: the trace id is what logs and error
bodies carry). A request's server span continues the caller's `traceparent` (Litestar's
OpenTelemetry plugin, i.e. the official ASGI instrumentation) or starts a trace; the service
clients and the outbox relay inject `traceparent`; a consumer continues it from the message.

`X-Trace-Id` (the 32-hex trace id alone) is still read when no `traceparent` came, written
beside it, and answered on every response: a caller may name its own trace (tests count a
request's SQL by it) and a person can quote the id an error page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.propagators import (
    ResponsePropagator,
    set_global_response_propagator,
)
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.propagators.textmap import (
    CarrierT,
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
TRACE_HEADER = "X-Trace-Id"
TRACER = "portal"
# Probes are polled every few seconds: no span, no request log line at INFO.
PROBES = ("/health", "/metrics")


def parse_trace_id(value: str) -> int | None:
    """A 32-hex W3C trace id (not all zeros), else None."""
    if len(value) != 32:
        return None
    try:
        trace_id = int(value, 16)
    except ValueError:
        return None
    return trace_id or None


def format_trace_id(span_context: SpanContext) -> str:
    return trace.format_trace_id(span_context.trace_id)


def format_traceparent(span_context: SpanContext) -> str:
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(
        carrier, trace.set_span_in_context(NonRecordingSpan(span_context))
    )
    return carrier[TRACEPARENT]


def parse_traceparent(value: str) -> SpanContext | None:
    """The remote span a `traceparent` names, None when it is malformed (W3C rules)."""
    context = TraceContextTextMapPropagator().extract({TRACEPARENT: value})
    span_context = trace.get_current_span(context).get_span_context()
    return span_context if span_context.is_valid else None


class TraceIdHeader(TextMapPropagator):
    """`X-Trace-Id`: read only when no `traceparent` follows (the composite lets that one win),
    as a remote parent with that trace id; written beside `traceparent`."""

    def extract(
        self, carrier: CarrierT, context: Context | None = None,
        getter: Getter[CarrierT] = default_getter,
    ) -> Context:  # fmt: skip
        context = context if context is not None else Context()
        values = getter.get(carrier, TRACE_HEADER) or getter.get(carrier, TRACE_HEADER.lower())
        trace_id = parse_trace_id(values[0]) if values else None
        if trace_id is None:
            return context
        parent = SpanContext(
            trace_id=trace_id, span_id=RandomIdGenerator().generate_span_id(), is_remote=True,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )  # fmt: skip
        return trace.set_span_in_context(NonRecordingSpan(parent), context)

    def inject(
        self, carrier: CarrierT, context: Context | None = None,
        setter: Setter[CarrierT] = default_setter,
    ) -> None:  # fmt: skip
        span_context = trace.get_current_span(context).get_span_context()
        if span_context.is_valid:
            setter.set(carrier, TRACE_HEADER, format_trace_id(span_context))

    @property
    def fields(self) -> set[str]:
        return {TRACE_HEADER}


class TraceIdResponse(ResponsePropagator):
    """Every HTTP answer names its trace in `X-Trace-Id`."""

    def inject(self, carrier: Any, context: Context | None = None, setter: Any = None) -> None:
        TraceIdHeader().inject(carrier, context, setter or default_setter)


# X-Trace-Id first: a `traceparent` that follows overrides it.
PROPAGATOR = CompositePropagator([TraceIdHeader(), TraceContextTextMapPropagator()])


def configure_tracing(service: str) -> None:
    """Once per process (the integration tests run five apps in one): the SDK provider, and
    the propagators the ASGI instrumentation reads and answers with."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": service})))
    propagate.set_global_textmap(PROPAGATOR)
    set_global_response_propagator(TraceIdResponse())  # type: ignore[no-untyped-call]


def server_tracing() -> OpenTelemetryPlugin:
    """A server span per HTTP request or WebSocket, continuing the caller's trace."""
    return OpenTelemetryPlugin(
        OpenTelemetryConfig(
            exclude=[f"^{probe}" for probe in PROBES], exclude_spans=["receive", "send"]
        )
    )


def current_span_context() -> SpanContext | None:
    span_context = trace.get_current_span().get_span_context()
    return span_context if span_context.is_valid else None


def current_trace_id() -> str | None:
    span_context = current_span_context()
    return format_trace_id(span_context) if span_context else None


def current_traceparent() -> str | None:
    span_context = current_span_context()
    return format_traceparent(span_context) if span_context else None


def inject_trace(headers: MutableMapping[str, str], context: Context | None = None) -> None:
    """`traceparent` and `X-Trace-Id` of the current (or the given) context."""
    PROPAGATOR.inject(headers, context)


def headers_continuing(stored: str | None) -> dict[str, str]:
    """The trace headers continuing a stored `traceparent` (an outbox row's; a row written
    before traceparents were kept holds the bare trace id, which continues its trace too)."""
    headers: dict[str, str] = {}
    if stored:
        inject_trace(headers, PROPAGATOR.extract({TRACEPARENT: stored, TRACE_HEADER: stored}))
    return headers


@contextmanager
def continued_span(name: str, headers: Mapping[str, str], kind: SpanKind) -> Iterator[Span]:
    """A span continuing the trace the headers carry (a new trace when they carry none)."""
    parent = PROPAGATOR.extract(dict(headers))
    with trace.get_tracer(TRACER).start_as_current_span(name, context=parent, kind=kind) as span:
        yield span
