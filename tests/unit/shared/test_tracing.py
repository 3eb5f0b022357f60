"""W3C trace context: traceparent parsed and formatted by OpenTelemetry's rules, X-Trace-Id
read only when no traceparent came, and a stored traceparent continued by the next hop."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from shared.tracing import (
    PROPAGATOR,
    TRACE_HEADER,
    TRACEPARENT,
    configure_tracing,
    continued_span,
    current_trace_id,
    current_traceparent,
    format_traceparent,
    headers_continuing,
    inject_trace,
    parse_trace_id,
    parse_traceparent,
)

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
HEADER = f"00-{TRACE}-{SPAN}-01"
OTHER = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture(autouse=True, scope="module")
def sdk() -> None:
    configure_tracing("test")


def test_a_traceparent_round_trips() -> None:
    span_context = parse_traceparent(HEADER)
    assert span_context is not None and span_context.is_remote
    assert f"{span_context.trace_id:032x}" == TRACE and f"{span_context.span_id:016x}" == SPAN
    assert span_context.trace_flags.sampled
    assert format_traceparent(span_context) == HEADER


@pytest.mark.parametrize(
    "header",
    [
        "", "garbage", f"ff-{TRACE}-{SPAN}-01", f"00-{'0' * 32}-{SPAN}-01",
        f"00-{TRACE}-{'0' * 16}-01", f"00-{TRACE[:-1]}-{SPAN}-01", f"00-{TRACE.upper()}-{SPAN}-01",
    ],
)  # fmt: skip
def test_a_malformed_traceparent_names_no_parent(header: str) -> None:
    assert parse_traceparent(header) is None


def test_a_bare_trace_id_is_32_hex_and_not_zero() -> None:
    assert parse_trace_id(TRACE) == int(TRACE, 16)
    assert parse_trace_id("0" * 32) is None
    assert parse_trace_id("trace-abc") is None
    assert parse_trace_id("g" * 32) is None


def test_x_trace_id_starts_the_trace_only_when_no_traceparent_came() -> None:
    alone = trace.get_current_span(PROPAGATOR.extract({TRACE_HEADER: OTHER})).get_span_context()
    assert f"{alone.trace_id:032x}" == OTHER and alone.is_remote
    both = PROPAGATOR.extract({TRACE_HEADER: OTHER, TRACEPARENT: HEADER})
    assert f"{trace.get_current_span(both).get_span_context().trace_id:032x}" == TRACE
    nothing = trace.get_current_span(PROPAGATOR.extract({TRACE_HEADER: "trace-abc"}))
    assert not nothing.get_span_context().is_valid


def test_a_span_continues_the_callers_trace_and_passes_it_on() -> None:
    with continued_span("submit", {TRACEPARENT: HEADER}, SpanKind.SERVER) as span:
        assert current_trace_id() == TRACE
        own = f"{span.get_span_context().span_id:016x}"
        assert own != SPAN  # a span of its own, child of the caller's
        assert current_traceparent() == f"00-{TRACE}-{own}-01"
        headers: dict[str, str] = {}
        inject_trace(headers)
        assert headers == {TRACEPARENT: f"00-{TRACE}-{own}-01", TRACE_HEADER: TRACE}
    assert current_trace_id() is None and current_traceparent() is None


def test_without_a_caller_a_span_starts_a_new_trace() -> None:
    with continued_span("tick", {}, SpanKind.INTERNAL):
        first = current_trace_id()
    with continued_span("tick", {}, SpanKind.INTERNAL):
        second = current_trace_id()
    assert first and second and first != second and len(first) == 32


def test_a_stored_traceparent_or_trace_id_is_continued() -> None:
    assert headers_continuing(HEADER) == {TRACEPARENT: HEADER, TRACE_HEADER: TRACE}
    older = headers_continuing(TRACE)  # an outbox row written before traceparents were kept
    assert older[TRACE_HEADER] == TRACE and older[TRACEPARENT].startswith(f"00-{TRACE}-")
    assert headers_continuing(None) == {} and headers_continuing("trace-abc") == {}
