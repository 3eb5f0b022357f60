"""Every mail renders in every shipped language, text and HTML, from the agreed context."""

from __future__ import annotations

import re
import string
import tomllib

import pytest

from services.notify.domain.messages import (
    KINDS,
    TEMPLATES,
    render,
    rendered_language,
    shipped_languages,
    strings_of,
    words_for,
)
from services.review.domain.scoring import Decision
from shared.identity import Role
from tests.unit.notify.contexts import BY_KIND, PORTAL, context_of

LINK = re.compile(r"https?://[^\s\"'<>]+")
LANGUAGES = sorted(shipped_languages())


def test_the_agreed_kinds_and_languages_are_there() -> None:
    assert set(BY_KIND) == KINDS
    assert {"en", "nl", "pt", "it"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_every_language(kind: str, language: str) -> None:
    mail = render(kind, language, context_of(kind))
    assert mail.subject.strip() and "\n" not in mail.subject
    assert "Ana Silva" in mail.text and "Ana Silva" in mail.html
    assert mail.html.startswith("<!DOCTYPE html>") and f'<html lang="{language}">' in mail.html
    assert PORTAL in mail.text  # the footer's address


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_translation_is_not_english(kind: str, language: str) -> None:
    english, translated = (
        render(kind, "en", context_of(kind)),
        render(kind, language, context_of(kind)),
    )
    assert translated.subject != english.subject
    assert translated.text != english.text


@pytest.mark.parametrize("language", ["xx", "", "de", "EN-gb"])
def test_an_unknown_language_falls_back_to_english(language: str) -> None:
    assert render("confirm_email", language, context_of("confirm_email")) == render(
        "confirm_email", "en", context_of("confirm_email")
    )


def test_a_regional_variant_uses_its_language() -> None:
    assert rendered_language("pt-PT") == "pt" and rendered_language("nl_BE") == "nl"
    assert render("confirm_email", "pt-PT", context_of("confirm_email")) == render(
        "confirm_email", "pt", context_of("confirm_email")
    )


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mail kind"):
        render("newsletter", "en", context_of("confirm_email"))


@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind in sorted(KINDS) for key in context_of(kind)]
)
def test_every_agreed_value_is_needed_and_a_missing_one_is_refused(kind: str, key: str) -> None:
    context = context_of(kind)
    del context[key]
    with pytest.raises(ValueError, match=key):
        render(kind, "nl", context)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_html_escapes_what_people_wrote_and_text_keeps_it(kind: str) -> None:
    context = {**context_of(kind), "name": "<script>alert(1)</script>"}
    if "call_title" in context:
        context["call_title"] = "Reuse & <b>repair</b>"
    mail = render(kind, "en", context)
    assert "<script>" not in mail.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<b>repair</b>" not in mail.html
    assert "<script>alert(1)</script>" in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_links_come_out_whole_in_the_text_and_as_links_in_html(kind: str, language: str) -> None:
    context = context_of(kind)
    mail = render(kind, language, context)
    found = set(LINK.findall(mail.text))
    expected = {context[key] for key in ("link", "signin_link") if key in context}
    assert expected <= found
    assert found <= expected | {PORTAL, f"{PORTAL}/#/forgot"}  # nothing glued to a link
    for link in expected:
        assert f'href="{link}"' in mail.html
        assert f">{link}</a>" in mail.html  # written out as well as a button


def test_the_receipt_lists_files_with_their_question_hash_and_size_in_the_language() -> None:
    context = context_of("submission_receipt")
    english = render("submission_receipt", "en", context)
    assert "- Budget plan: budget.pdf (2.5 MB)" in english.text
    assert "Budget plan: <strong>budget.pdf</strong>" in english.html
    dutch = render("submission_receipt", "nl", context)
    assert "2,5 MB" in dutch.text and "ab" * 32 in dutch.text and "ab" * 32 in dutch.html
    assert "5e" * 32 in dutch.text
    assert "R-2025-000042" in dutch.subject and "Repair and reuse in textiles" in dutch.subject


def test_a_resubmission_says_which_version() -> None:
    context = {**context_of("submission_receipt"), "resubmission": True, "version": 3}
    first = render("submission_receipt", "en", context_of("submission_receipt"))
    again = render("submission_receipt", "en", context)
    assert "version 3" in again.text and "version 1" not in first.text


# The first reminder may go out anywhere from 72 h to 24 h before closing: it says "3 days",
# never a number of hours it may not be; the last one names its 24 hours.
WINDOWS = {"draft_reminder_72h": ("3", "24"), "draft_reminder_24h": ("24", "72")}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(WINDOWS))
def test_reminders_name_their_window(kind: str, language: str) -> None:
    mail = render(kind, language, context_of(kind))
    named, other = WINDOWS[kind]
    assert named in mail.subject and named in mail.text
    assert other not in mail.subject and other not in mail.text


def test_one_evaluation_is_singular() -> None:
    one = {**context_of("evaluation_reminder"), "count": 1}
    assert "1 evaluation for" in render("evaluation_reminder", "en", one).text
    assert (
        "3 evaluations for"
        in render("evaluation_reminder", "en", context_of("evaluation_reminder")).text
    )


def test_optional_values_leave_their_line_out() -> None:
    no_due = {**context_of("evaluation_assigned"), "due_at": None}
    assert "None" not in render("evaluation_assigned", "en", no_due).text
    assert (
        "by 20 Jun 2025, 17:00 CEST (Europe/Brussels)"
        in render("evaluation_assigned", "en", context_of("evaluation_assigned")).text
    )
    unranked = {**context_of("outcome"), "rank": None}
    assert "Rank" not in render("outcome", "en", unranked).text
    assert "Rank: 2" in render("outcome", "en", context_of("outcome")).text


def test_a_person_without_a_name_is_greeted_without_one() -> None:
    mail = render("reset_password", "en", {**context_of("reset_password"), "name": ""})
    assert mail.text.startswith("Hello,\n")


def placeholders(pattern: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(pattern) if field}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_a_translation_has_every_string_with_the_same_placeholders(language: str) -> None:
    def load(lang: str) -> dict[str, dict[str, str]]:
        return tomllib.loads((TEMPLATES / "strings" / f"{lang}.toml").read_text("utf-8"))

    english, translated = load("en"), load(language)
    assert {t: set(words) for t, words in translated.items()} == {
        t: set(words) for t, words in english.items()
    }
    for table, words in english.items():
        for key, pattern in words.items():
            assert placeholders(translated[table][key]) == placeholders(pattern), (table, key)


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "30 May 2025, 17:00 CEST (Europe/Brussels)"), ("nl", "30 mei 2025, 17:00 CEST"),
     ("pt", "30 mai 2025, 17:00 CEST"), ("it", "30 mag 2025, 17:00 CEST"),
     ("de", "30 May 2025, 17:00 CEST")],
)  # fmt: skip
def test_instants_are_written_in_the_mails_language(language: str, written: str) -> None:
    mail = render("draft_reminder_24h", language, context_of("draft_reminder_24h"))
    assert written in mail.text and written in mail.html


@pytest.mark.parametrize(
    ("language", "role", "written"),
    [("en", "evaluator", "as an evaluator"), ("en", "hub_manager", "as a hub manager"),
     ("nl", "evaluator", "als beoordelaar"), ("pt", "admin", "como membro da equipa"),
     ("it", "evaluator", "come valutatore"), ("de", "admin", "as a programme team member")],
)  # fmt: skip
def test_a_role_is_named_in_the_mails_language(language: str, role: str, written: str) -> None:
    mail = render("invitation", language, {**context_of("invitation"), "role": role})
    assert written in mail.text and written in mail.html


@pytest.mark.parametrize(
    ("language", "decision", "written"),
    [("en", "reserve", "on the reserve list"), ("nl", "not_selected", "niet geselecteerd"),
     ("pt", "selected", "selecionada"), ("it", "ineligible", "non ammissibile"),
     ("en", "on_hold", "on hold")],  # a key no table knows reads as words
)  # fmt: skip
def test_a_decision_is_named_in_the_mails_language(
    language: str, decision: str, written: str
) -> None:
    mail = render("outcome", language, {**context_of("outcome"), "decision": decision})
    assert written in mail.text and written in mail.html
    assert "_" not in mail.text  # never the key itself


@pytest.mark.parametrize("language", ["en", "nl", "it", "pt"])
def test_an_ineligible_outcome_points_to_its_reasons_not_to_an_evaluation(language: str) -> None:
    evaluated = render("outcome", language, context_of("outcome"))
    ineligible = render(
        "outcome", language, {**context_of("outcome"), "decision": "ineligible", "evaluated": False}
    )
    words = words_for(language, "outcome")
    for mail in (ineligible.text, ineligible.html):
        assert words["action"] not in mail and words["action_ineligible"] in mail
    assert words["summary"] not in ineligible.text
    assert words["summary_ineligible"] in ineligible.text
    assert words["summary"] in evaluated.text and words["action"] in evaluated.html


def test_every_role_and_decision_has_an_english_label() -> None:
    english = strings_of("en")
    assert set(english["roles"]) == {role.value for role in Role} - {Role.ANONYMOUS.value}
    assert set(english["decisions"]) == {decision.value for decision in Decision}
