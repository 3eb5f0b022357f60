"""The columns the team filters by (domain/indexing.py), the list's cursor and search text
(domain/paging.py) and the file question an upload answers (domain/attachments.py)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest

from services.intake.domain.attachments import file_question
from services.intake.domain.indexing import index_for_team, value_chains_of
from services.intake.domain.paging import decode_cursor, encode_cursor, search_pattern
from services.intake.models import ApplicationRow, KnownCall
from shared.api.intake import ApplicationContent, Organisation
from shared.api.registry import CountryPart, Form, Question, QuestionType
from shared.errors import ValidationFailed


def test_the_applicant_s_value_chain_wins_when_it_is_a_known_one() -> None:
    call = KnownCall(value_chains=["textiles", "food_agriculture"])
    assert value_chains_of(call, {"value_chain": "electronics_ict"}) == ["electronics_ict"]
    assert value_chains_of(call, {"value_chain": "nonsense"}) == ["textiles", "food_agriculture"]
    assert value_chains_of(call, {}) == ["textiles", "food_agriculture"]


def test_only_known_codes_are_indexed_and_the_country_part_decides_the_hub() -> None:
    app = ApplicationRow()
    south = Organisation(type="ngo", country="FR", country_part=CountryPart.SOUTH)
    index_for_team(app, KnownCall(value_chains=[]), ApplicationContent(organisation=south))
    assert (app.country, app.organisation_type, app.hub) == ("FR", "ngo", "PT")
    typed = Organisation(type="a club", country="Atlantis")
    index_for_team(app, KnownCall(value_chains=[]), ApplicationContent(organisation=typed))
    assert (app.country, app.organisation_type, app.hub) == (None, None, None)


def test_a_cursor_comes_back_as_it_went_out() -> None:
    created, key = datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=UTC), uuid.uuid4()
    assert decode_cursor(encode_cursor(created, key)) == (created, key)


def forged(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode()


ANY_ID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("cursor", [
    "", "not base64!", "bm8gYmFy",
    # Instants PostgreSQL cannot hold once in UTC (they answered 500), and one without a zone.
    forged(f"0001-01-01T00:00:00+14:00|{ANY_ID}"), forged(f"9999-12-31T23:59:59.999999-14:00|{ANY_ID}"),
    forged(f"2026-01-01|{ANY_ID}"),
])  # fmt: skip
def test_a_cursor_this_list_did_not_give_out_is_refused_on_after(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        decode_cursor(cursor)
    assert [e.field for e in refused.value.errors] == ["after"]


def test_search_text_is_matched_literally() -> None:
    assert search_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
    for bad in ("a\x00b", "x" * 201):
        with pytest.raises(ValidationFailed):
            search_pattern(bad)


def test_an_upload_answers_a_file_question_of_the_form() -> None:
    form = Form(
        questions=[
            Question(key="title", type=QuestionType.SHORT_TEXT, labels={"en": "Title"}),
            Question(key="plan", type=QuestionType.FILE, labels={"en": "Plan"}),
        ]
    )
    assert file_question(form, "plan").key == "plan"
    for key in ("title", "missing"):
        with pytest.raises(ValidationFailed) as refused:
            file_question(form, key)
        assert [e.field for e in refused.value.errors] == [f"answers.{key}"]
