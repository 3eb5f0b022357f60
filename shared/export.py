"""What every service's part of a person's data archive shares: who may ask for it, and how a
label is read in the person's language."""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import Forbidden
from shared.identity import Identity


def require_person_or_admin(identity: Identity, account_id: str) -> None:
    """A person exports their own data; the programme team exports anyone's (a request made
    by letter)."""
    if identity.require_signed_in() != account_id and not identity.is_admin:
        raise Forbidden("You may export only your own data.")


def localised(texts: Mapping[str, str], language: str, fallback: str = "") -> str:
    """The text in `language`, else English, else any, else `fallback`."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), fallback)
