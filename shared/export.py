"""What every service's part of a person's data archive shares: who may ask for it, and how a
label or a chosen answer is read in the person's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.api.registry import Question, QuestionType
from shared.errors import Forbidden
from shared.identity import Identity
from shared.programme import country_name


def require_person_or_admin(identity: Identity, account_id: str) -> None:
    """A person exports their own data; the programme team exports anyone's (a request made
    by letter)."""
    if identity.require_signed_in() != account_id and not identity.is_admin:
        raise Forbidden("You may export only your own data.")


def localised(texts: Mapping[str, str], language: str, fallback: str = "") -> str:
    """The text in `language`, else English, else any, else `fallback`."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), fallback)


def chosen_label(question: Question, answer: Any, language: str) -> str | None:
    """A choice or country answer as the form names it (option labels, the country's name;
    an unknown code as given); None for any other answer."""
    if question.type is QuestionType.COUNTRY and isinstance(answer, str) and answer:
        return country_name(answer)
    if not question.options or answer in (None, "", []):
        return None
    options = {o.value: localised(o.labels, language, o.value) for o in question.options}
    picks = answer if isinstance(answer, list) else [answer]
    return ", ".join(options.get(str(pick), str(pick)) for pick in picks)
