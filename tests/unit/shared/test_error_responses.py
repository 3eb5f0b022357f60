"""A client that goes away mid-body is no failure of ours; a real 500 is logged and coded."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import pytest
from litestar.exceptions import InternalServerException, NotFoundException

from shared.errors import ErrorBody
from shared.web import CLIENT_WENT_AWAY, http_error_response


def answer(exc: Any) -> tuple[int, ErrorBody]:
    response = http_error_response(None, exc)
    return response.status_code, msgspec.convert(response.content, ErrorBody)


def test_a_client_gone_mid_body_is_a_400_logged_as_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        status, body = answer(InternalServerException(CLIENT_WENT_AWAY))
    assert (status, body.code) == (400, "bad_request")
    assert [r.levelno for r in caplog.records] == [logging.INFO]


def test_a_real_server_error_is_logged_as_an_error_and_coded_internal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        status, body = answer(InternalServerException("disk on fire"))
    assert (status, body.code) == (500, "internal_error")
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert answer(NotFoundException("gone"))[1].code == "not_found"
