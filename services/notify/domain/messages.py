"""Every mail the portal sends, rendered from templates in the recipient's language.

Layouts (services/notify/templates/<layout>.txt and .html) hold the structure of each kind;
the words live in one strings file per language (templates/strings/<language>.toml), so adding
a language is one file. A string names the context values it shows as `{call_title}`; in HTML
they are escaped. A kind's table is searched first, then `[common]`; a string a translation
lacks comes from English.

Values that read differently per language are given as what they are and written here in the
mail's language: an `Instant` (its month), a role or a decision key (by the `[roles]` and
`[decisions]` tables).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from markupsafe import escape

from shared.clock import DEFAULT_TIMEZONE, format_instant

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FALLBACK_LANGUAGE = "en"

KINDS: frozenset[str] = frozenset({
    "confirm_email", "reset_password", "invitation", "sign_up_repeated", "password_changed",
    "submission_receipt", "draft_reminder_72h", "draft_reminder_24h", "evaluation_assigned",
    "evaluation_reminder", "assignment_moved_away", "outcome", "daily_digest",
})  # fmt: skip

# Kinds that differ only in their words share a layout.
LAYOUTS = {
    "confirm_email": "action_link", "reset_password": "action_link", "invitation": "action_link",
    "draft_reminder_72h": "draft_reminder", "draft_reminder_24h": "draft_reminder",
}  # fmt: skip


# Context values that are keys, shown by their label in the mail's language: value -> table.
LABELLED = {"role": "roles", "decision": "decisions"}


class Instant(msgspec.Struct, frozen=True):
    """An instant in a mail's context, written in the mail's language and in `timezone`."""

    at: datetime
    timezone: str = DEFAULT_TIMEZONE


class Rendered(msgspec.Struct, frozen=True):
    subject: str
    text: str
    html: str


Strings = dict[str, dict[str, str]]


@cache
def strings_of(language: str) -> Strings:
    """The language's strings by table; English fills what a translation leaves out."""
    own: Strings = tomllib.loads((TEMPLATES / "strings" / f"{language}.toml").read_text("utf-8"))
    if language == FALLBACK_LANGUAGE:
        return own
    return {table: {**words, **own.get(table, {})} for table, words in strings_of("en").items()}


@cache
def shipped_languages() -> frozenset[str]:
    return frozenset(path.stem for path in (TEMPLATES / "strings").glob("*.toml"))


def rendered_language(language: str) -> str:
    """The language a mail for `language` is written in: its own if shipped ("pt-PT" counts
    as "pt"), English otherwise."""
    base = language.strip().lower().replace("_", "-").split("-")[0]
    return base if base in shipped_languages() else FALLBACK_LANGUAGE


def words_for(language: str, table: str) -> dict[str, str]:
    """One table's strings (with `[common]`'s) in the language a mail for `language` is
    written in; for texts other than mails, such as the receipt's PDF."""
    strings = strings_of(rendered_language(language))
    return {**strings["common"], **strings.get(table, {})}


def label(strings: Strings, table: str, key: str) -> str:
    """A key's label; an unknown key as words rather than as a key."""
    return strings.get(table, {}).get(key) or key.replace("_", " ")


def localised_values(context: Mapping[str, Any], language: str, strings: Strings) -> dict[str, Any]:
    """The context with its instants and keys written in `language`."""
    values = dict(context)
    for key, value in context.items():
        if isinstance(value, Instant):
            values[key] = format_instant(value.at, value.timezone, language)
        elif key in LABELLED and isinstance(value, str):
            values[key] = label(strings, LABELLED[key], value)
    return values


class ContextValues(Mapping[str, Any]):
    """A string's placeholders, looked up in the template context; a missing one fails."""

    def __init__(self, lookup: Mapping[str, Any], escaped: bool) -> None:
        self.lookup, self.escaped = lookup, escaped

    def __getitem__(self, key: str) -> Any:
        if key not in self.lookup:
            raise jinja2.UndefinedError(f"'{key}' is undefined")
        value = self.lookup[key]
        return escape(value) if self.escaped else value

    def __iter__(self) -> Iterator[str]:
        return iter(self.lookup)

    def __len__(self) -> int:
        return len(self.lookup)


def word(strings: Strings, kind: str, key: str) -> str:
    for table in (kind, "common"):
        if key in strings.get(table, {}):
            return strings[table][key]
    raise jinja2.TemplateError(f"no string {key!r} for {kind}")


def fill(pattern: str, values: Mapping[str, Any], escaped: bool) -> str:
    lookup = ContextValues(values, escaped)
    return escape(pattern).format_map(lookup) if escaped else pattern.format_map(lookup)


@jinja2.pass_context
def translate(context: jinja2.runtime.Context, key: str, **extra: Any) -> str:
    """`t("intro")` in a layout: the string in the mail's language, its placeholders filled
    from the context (and `extra`), escaped in HTML."""
    pattern = word(context["strings"], context["kind"], key)
    values = {**context.get_all(), **extra}
    return fill(pattern, values, escaped=context.eval_ctx.autoescape)


@jinja2.pass_context
def file_size(context: jinja2.runtime.Context, size: int) -> str:
    """Bytes as people read them, with the language's decimal mark."""
    mark = word(context["strings"], context["kind"], "decimal_mark")
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor:
            return f"{size / factor:.1f}".replace(".", mark) + f" {unit}"
    return f"{size} B"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the layouts ship with the code: no disk look per mail
    )
    env.globals["t"] = translate
    env.filters["file_size"] = file_size
    return env


ENVIRONMENT = environment()


def tidy_text(text: str) -> str:
    """Layouts may leave blank runs where optional lines are left out."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """The mail of `kind` for `context`, in `language` when shipped, English otherwise.

    ValueError for an unknown kind or a context that lacks a value a layout shows."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    language = rendered_language(language)
    strings = strings_of(language)
    values = {
        **localised_values(context, language, strings),
        "kind": kind, "language": language, "strings": strings,
    }  # fmt: skip
    layout = LAYOUTS.get(kind, kind)
    try:
        subject = " ".join(fill(word(strings, kind, "subject"), values, escaped=False).split())
        values["subject"] = subject
        text = ENVIRONMENT.get_template(f"{layout}.txt").render(values)
        html = ENVIRONMENT.get_template(f"{layout}.html").render(values)
    except jinja2.UndefinedError as missing:
        raise ValueError(f"{kind}: {missing.message}") from None
    return Rendered(subject=subject, text=tidy_text(text), html=html)
