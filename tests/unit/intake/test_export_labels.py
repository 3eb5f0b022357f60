"""The data download keeps each answer's codes and names a choice as the form does (an
audit read "ngo, repair" where the form had said "Non-profit, Repair services")."""

from __future__ import annotations

from services.intake.usecases.export import labelled
from shared.api.registry import Form, Option, Question, QuestionType

Q = QuestionType
FORM = Form(questions=[
    Question(key="title", type=Q.SHORT_TEXT, labels={"en": "Title"}),
    Question(key="kind", type=Q.SINGLE_CHOICE, labels={"en": "Kind"}, options=[
        Option("repair", {"en": "Repair services", "nl": "Reparatie"}),
        Option("reuse", {"en": "Reuse shop"})]),
    Question(key="areas", type=Q.MULTIPLE_CHOICE, labels={"en": "Areas"}, options=[
        Option("textiles", {"en": "Textiles"}), Option("wood", {"en": "Wood"})]),
    Question(key="based", type=Q.COUNTRY, labels={"en": "Based in"}),
    Question(key="ok", type=Q.DECLARATION, labels={"en": "I agree."}),
    Question(key="deck", type=Q.FILE, labels={"en": "Deck"}),
])  # fmt: skip


def test_choices_and_countries_are_named_and_keep_their_codes() -> None:
    answers = {"title": "Fix it", "kind": "repair", "areas": ["wood", "textiles"],
               "based": "PT", "ok": True, "gone": "kept"}  # fmt: skip
    shown = {a.key: (a.answer, a.answer_label) for a in labelled(FORM, answers, "en")}
    assert shown == {
        "title": ("Fix it", None), "kind": ("repair", "Repair services"),
        "areas": (["wood", "textiles"], "Wood, Textiles"), "based": ("PT", "Portugal"),
        "ok": (True, None), "gone": ("kept", None),
    }  # fmt: skip


def test_a_choice_is_named_in_the_language_asked_and_an_unknown_code_as_given() -> None:
    answers = {"kind": "repair", "areas": ["metal"]}
    shown = {a.key: a.answer_label for a in labelled(FORM, answers, "nl")}
    assert shown["kind"] == "Reparatie" and shown["areas"] == "metal"
    assert shown["title"] is None and shown["based"] is None  # unanswered
