"""What no draft keeps at all, whatever its questions' own limits: a draft keeps an answer
too long for its question, with a warning, but one application's storage is bounded, and a
key that is no question of the form, or an amount the form asks as a question, is refused
rather than kept (or dropped). Pure."""

from __future__ import annotations

from shared.api.intake import Answer, ApplicationUpdate
from shared.api.registry import ANSWER_TEXT_MOST, Form, QuestionType
from shared.errors import FieldError, too_long

TEXT_MOST = ANSWER_TEXT_MOST
FIELD_MOST = 1_000  # characters in a name, an address, a role
PICKS_MOST = 1_000  # values in one answer
TEAM_MOST = 100


def unkept_errors(form: Form, update: ApplicationUpdate) -> list[FieldError]:
    """What in a save is refused outright (nothing of the save is kept then)."""
    known = {question.key for question in form.questions}
    errors = []
    for key, value in (update.answers or {}).items():
        field = f"answers.{key}"
        if key not in known:
            errors.append(FieldError(field, "is not a question of this form"))
        elif isinstance(value, list) and len(value) > PICKS_MOST:
            errors.append(FieldError(field, f"holds at most {PICKS_MOST:,} values"))
        elif any(isinstance(text, str) and len(text) > TEXT_MOST for text in values_of(value)):
            errors.append(FieldError(field, f"must be at most {TEXT_MOST:,} characters"))
    asked = next((q.key for q in form.questions if q.type is QuestionType.REQUESTED_AMOUNT), None)
    if update.requested_amount is not None and asked is not None:
        # Kept silently it would be lost: the form's answer is the amount.
        errors.append(FieldError("requestedAmount", f"is asked by the question {asked}: answer it"))
    if update.team is not None and len(update.team) > TEAM_MOST:
        errors.append(FieldError("team", f"holds at most {TEAM_MOST} people"))
    texts: dict[str, str | None] = {}
    for part, given in (("organisation", update.organisation), ("contact", update.contact)):
        for name in given.__struct_fields__ if given is not None else ():
            value = getattr(given, name)
            texts[f"{part}.{name}"] = value if isinstance(value, str) else None
    for index, person in enumerate((update.team or [])[:TEAM_MOST]):
        for name in person.__struct_fields__:
            texts[f"team.{index}.{name}"] = getattr(person, name)
    return errors + too_long(texts, FIELD_MOST)


def values_of(answer: Answer) -> list[Answer]:
    return list(answer) if isinstance(answer, list) else [answer]
