"""Assigning evaluators to applications.

Each application gets k evaluators; never one with a conflict; capacity respected. Every
application takes the k least-loaded evaluators it may have, so with equal capacities the
loads never differ by more than one; among equally loaded evaluators expertise in the
application's value chains, then its hub, then the evaluator id decide. The same inputs
always give the same plan. Where the pool cannot supply k, the plan says so per application.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import msgspec


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    capacity: int
    expertise: frozenset[str] = frozenset()
    hubs: frozenset[str] = frozenset()
    organisation: str = ""
    email_domain: str = ""


class Applicant(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    value_chains: frozenset[str] = frozenset()
    hub: str | None = None
    organisation: str = ""
    email_domains: frozenset[str] = frozenset()


class Shortfall(msgspec.Struct, frozen=True):
    application_id: str
    needed: int
    assigned: int
    reason: str


class Plan(msgspec.Struct, frozen=True):
    pairs: list[tuple[str, str]]  # (application id, evaluator id), new ones only
    shortfalls: list[Shortfall]
    loads: dict[str, int]


LEGAL_FORMS = frozenset(
    [
        "bv",
        "nv",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "ltd",
        "plc",
        "inc",
        "llc",
        "ev",
        "oy",
        "ab",
        "as",
        "kft",
        "sro",
        "zrt",
        "doo",
        "ev",
        "vzw",
        "asbl",
    ]
)


# Mailboxes anyone can open: sharing one says nothing about sharing an organisation.
PUBLIC_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "ymail.com",
        "web.de",
        "t-online.de",
        "freenet.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "tutanota.com",
        "zoho.com",
        "mail.com",
    ]
)
# Providers with a domain per country (gmx.de, yahoo.co.uk, hotmail.fr ...).
PUBLIC_MAIL_PROVIDERS = frozenset(["gmx", "yahoo", "hotmail", "outlook"])


def is_public_mail_domain(domain: str) -> bool:
    provider, _, suffix = domain.partition(".")
    # Only a country suffix (`.de`, `.co.uk`): `outlook.example.org` may well be a company's.
    country = "." not in suffix or suffix.split(".")[0] in ("co", "com")
    return domain in PUBLIC_MAIL_DOMAINS or (
        provider in PUBLIC_MAIL_PROVIDERS and bool(suffix) and country
    )


def normalise_organisation(name: str) -> str:
    """`Repair Collective B.V.` and `repair collective bv` are one organisation."""
    words = ["".join(ch for ch in word if ch.isalnum()) for word in name.lower().split()]
    return " ".join(w for w in words if w and w not in LEGAL_FORMS)


def same_organisation_name(one: str, other: str) -> bool:
    if not one or not other:  # most evaluators name no organisation: skip the work per pair
        return False
    normalised = normalise_organisation(one)
    return bool(normalised) and normalised == normalise_organisation(other)


def same_organisation(evaluator: Candidate, application: Applicant) -> bool:
    """Automatic conflict: the evaluator belongs to the applicant's organisation, by name or
    by a shared e-mail domain (unless that is a public mailbox provider's)."""
    if same_organisation_name(evaluator.organisation, application.organisation):
        return True
    domain = evaluator.email_domain
    return (
        bool(domain) and domain in application.email_domains and not is_public_mail_domain(domain)
    )


def plan_assignments(
    applications: Iterable[Applicant],
    evaluators: Iterable[Candidate],
    k: int,
    *,
    conflicts: frozenset[tuple[str, str]] = frozenset(),
    existing: Iterable[tuple[str, str]] = (),
) -> Plan:
    """`conflicts` and `existing` are (application id, evaluator id) pairs; existing ones
    count towards k and towards the evaluators' loads (so a repair tops up, never redoes)."""
    pool = sorted(evaluators, key=lambda e: e.id)
    loads = {e.id: 0 for e in pool}
    held: dict[str, set[str]] = {}
    for app_id, evaluator_id in existing:
        held.setdefault(app_id, set()).add(evaluator_id)
        if evaluator_id in loads:
            loads[evaluator_id] += 1
    pairs: list[tuple[str, str]] = []
    shortfalls: list[Shortfall] = []
    for app in sorted(applications, key=lambda a: a.id):
        mine = held.get(app.id, set())
        wanted = k - len(mine)
        if wanted <= 0:
            continue
        options = [
            e for e in pool
            if e.id not in mine
            and loads[e.id] < e.capacity
            and (app.id, e.id) not in conflicts
            and not same_organisation(e, app)
        ]  # fmt: skip
        chosen = heapq.nsmallest(
            wanted,
            options,
            key=lambda e: (
                loads[e.id],
                not (e.expertise & app.value_chains),
                not (app.hub is not None and app.hub in e.hubs),
                e.id,
            ),
        )
        for evaluator in chosen:
            loads[evaluator.id] += 1
            pairs.append((app.id, evaluator.id))
        if len(chosen) < wanted:
            reason = _why_short(app, pool, loads, conflicts)
            shortfalls.append(Shortfall(app.id, k, len(mine) + len(chosen), reason))
    return Plan(pairs=pairs, shortfalls=shortfalls, loads=loads)


def _why_short(
    app: Applicant,
    pool: list[Candidate],
    loads: dict[str, int],
    conflicts: frozenset[tuple[str, str]],
) -> str:
    conflicted = sum(1 for e in pool if (app.id, e.id) in conflicts or same_organisation(e, app))
    full = sum(1 for e in pool if loads[e.id] >= e.capacity)
    return f"{len(pool)} evaluator(s) in the pool: {conflicted} conflicted, {full} at capacity"
