"""How layouts are rendered: HTML escapes what people wrote, text keeps it, a value a layout
lacks fails loudly, and block tags leave no stray blank lines or indentation.

`ENVIRONMENT` is built once at import; these tests render through a freshly built
`environment()` so that each of its settings is what they check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import jinja2
import pytest
from markupsafe import escape

from services.notify.domain import messages
from services.notify.domain.messages import (
    ContextValues,
    environment,
    label,
    render,
    strings_of,
    tidy_text,
    word,
    words_for,
)
from services.notify.domain.schedule import digest_date
from tests.unit.notify.contexts import context_of

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def fresh_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(messages, "ENVIRONMENT", environment())
    yield


def receipt_mail(**changes: object) -> messages.Rendered:
    return render("submission_receipt", "en", {**context_of("submission_receipt"), **changes})


def test_html_escapes_an_applicants_text_and_plain_text_keeps_it() -> None:
    mail = receipt_mail(
        title=SCRIPT, files=[{"question": SCRIPT, "name": SCRIPT, "size": 10, "sha256": "ab" * 32}]
    )
    assert SCRIPT not in mail.html
    assert mail.html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert mail.text.count(SCRIPT) >= 2


def test_the_subject_is_plain_text_and_the_html_title() -> None:
    mail = receipt_mail(call_title="R&D <tools>")
    assert "R&D <tools>" in mail.subject and "&amp;" not in mail.subject
    assert f"<title>{escape(mail.subject)}</title>" in mail.html


def test_a_value_a_layout_shows_directly_is_required() -> None:
    context = {
        **context_of("submission_receipt"),
        "files": [{"question": "Plan", "name": "a.pdf", "size": 1}],
    }
    with pytest.raises(ValueError, match="sha256"):
        render("submission_receipt", "en", context)


def test_the_receipt_mail_lists_files_without_stray_lines_or_indentation() -> None:
    text = receipt_mail().text
    assert "Files:\n- Budget plan: budget.pdf (2.5 MB)\n  sha256 " + "ab" * 32 + "\n\n" in text


def test_the_settings_of_the_environment() -> None:
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x="<b>") == "<b>"  # strings are not HTML
    block = "start\n    {% if true %}\n  kept\n    {% endif %}\nend"
    assert env.from_string(block).render() == "start\n  kept\nend"
    assert env.globals["t"] is messages.translate and env.filters["file_size"] is messages.file_size
    assert str(env.get_template("submission_receipt.txt").filename).endswith(
        "submission_receipt.txt"
    )


def test_tidy_text_keeps_indentation_drops_trailing_spaces_and_blank_runs() -> None:
    assert tidy_text("\n  Files:  \n  - a.pdf\n\n\n\n  end \n") == "Files:\n  - a.pdf\n\n  end\n"


def test_a_table_nobody_wrote_gives_the_common_strings() -> None:
    strings = strings_of("en")
    assert words_for("en", "no_such_table") == strings["common"]
    assert label(strings, "no_such_table", "not_known") == "not known"
    assert word(strings, "no_such_kind", "decimal_mark") == strings["common"]["decimal_mark"]
    with pytest.raises(jinja2.TemplateError, match="'no_such_key' for outcome"):
        word(strings, "outcome", "no_such_key")


def test_context_values_iterate_their_keys() -> None:
    values = ContextValues({"a": 1, "b": 2}, escaped=False)
    assert list(values) == ["a", "b"] and len(values) == 2


def test_a_digest_date_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match=r"^now must carry its time zone$"):
        digest_date(datetime(2025, 5, 14, 12, 0), "Europe/Brussels")
