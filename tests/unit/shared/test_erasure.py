"""What anonymising an application keeps and removes (shared.erasure)."""

from __future__ import annotations

from shared.api.registry import Form, Question, QuestionType
from shared.erasure import (
    ERASED,
    erased_answers,
    erased_file_name,
    erased_organisation,
    erased_snapshot,
)


def question(key: str, kind: QuestionType) -> Question:
    return Question(key=key, type=kind, labels={"en": key})


FORM = Form(
    questions=[question("title", QuestionType.SHORT_TEXT), question("pitch", QuestionType.LONG_TEXT)]
    + [question(kind.value, kind) for kind in QuestionType if kind not in (
        QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.FILE)]
    + [question("deck", QuestionType.FILE)]
)  # fmt: skip


def test_closed_answers_stay_and_every_text_goes() -> None:
    answers = {
        "title": "Ana's repair café", "pitch": "Ana Silva and Jo run it", "number": 3.0,
        "single_choice": "textiles", "multiple_choice": ["reuse", "repair"],
        "declaration": True, "country": "PT", "requested_amount": 45000.0,
        "deck": "deck.pdf", "unknown_key": "whatever this was",
    }  # fmt: skip
    erased = erased_answers(FORM, answers)
    kept = {"number", "single_choice", "multiple_choice", "declaration", "country"}
    kept |= {"requested_amount"}
    assert {k: v for k, v in erased.items() if k in kept} == {k: answers[k] for k in kept}
    assert {k for k, v in erased.items() if v == ERASED} == set(answers) - kept


def test_an_organisation_keeps_what_eligibility_and_statistics_stand_on() -> None:
    organisation = {
        "name": "Silva Lda", "type": "sme", "country": "FR", "country_part": "south",
        "website": "https://silva.example",
    }  # fmt: skip
    assert erased_organisation(organisation) == {
        "type": "sme", "country": "FR", "country_part": "south", "name": ERASED, "website": "",
    }  # fmt: skip
    assert erased_organisation({}) == {"name": ERASED, "website": ""}


def test_a_submitted_version_loses_contact_team_and_texts_but_keeps_the_amount() -> None:
    snapshot = {
        "organisation": {"name": "Silva Lda", "type": "sme"},
        "contact": {"name": "Ana", "email": "ana@silva.example", "role": "CEO"},
        "team": [{"name": "Jo", "email": "jo@silva.example", "role": "CTO"}],
        "answers": {"title": "Ana's café", "number": 2.0},
        "requested_amount": 45000.0,
    }  # fmt: skip
    assert erased_snapshot(FORM, snapshot) == {
        "organisation": {"type": "sme", "name": ERASED, "website": ""},
        "contact": {}, "team": [], "answers": {"title": ERASED, "number": 2.0},
        "requested_amount": 45000.0,
    }  # fmt: skip


def test_an_erased_file_is_named_by_its_question_and_place() -> None:
    assert erased_file_name("pitch_deck", 2) == "pitch_deck-2"
