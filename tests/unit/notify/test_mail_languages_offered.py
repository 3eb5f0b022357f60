"""The pages say which languages mails are written in (found in a UI audit: French was
offered, and every mail came in English without a word): that list is the shipped one."""

from __future__ import annotations

import re
from pathlib import Path

from services.notify.domain.messages import shipped_languages

UI = Path(__file__).parents[3] / "gateway/web/js/ui.js"


def test_the_pages_name_the_languages_notify_writes_mails_in() -> None:
    found = re.search(r"MAIL_LANGUAGES = new Set\(\[([^\]]*)\]\)", UI.read_text())
    assert found is not None
    assert set(re.findall(r'"(\w+)"', found.group(1))) == set(shipped_languages())
