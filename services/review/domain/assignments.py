"""Assigning evaluators to applications.

Each application gets k evaluators; never one with a conflict; capacity respected. A flow
problem, solved in three steps: a greedy pass, the most constrained application first, gives
each application its least-loaded allowed evaluators (among equal loads expertise in its value
chains, then its hub, then the evaluator id decide); chains of moves then make room for an
application the greedy pass left short; last, while an evaluator can hand work along a chain
of moves to one with two fewer, it does. No such chain left means the loads are as even as
conflicts and capacities allow: with equal capacities within one whenever any plan's are.
The same inputs always give the same plan. Where the pool cannot supply k, the plan says so
per application.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

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
        "gmail.com", "googlemail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
        "aol.com", "ymail.com", "web.de", "t-online.de", "freenet.de", "orange.fr", "free.fr",
        "laposte.net", "libero.it", "proton.me", "protonmail.com", "pm.me", "tutanota.com",
        "zoho.com", "mail.com",
        # The demo accounts' (README): the portal's own, not an organisation's. Else the demo
        # evaluator could never be given the demo applicant's application (found in a UI audit).
        "demo.portal",
    ]
)  # fmt: skip
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
    return organisation_tie(evaluator, application) is not None


def organisation_tie(evaluator: Candidate, application: Applicant) -> str | None:
    """Automatic conflict, said as the team reads it: the evaluator belongs to the applicant's
    organisation, by name or by a shared e-mail domain (unless that is a public mailbox
    provider's); None when neither."""
    if same_organisation_name(evaluator.organisation, application.organisation):
        return "from the applicant's organisation"
    domain = evaluator.email_domain
    if domain and domain in application.email_domains and not is_public_mail_domain(domain):
        return f"shares the applicant's e-mail domain ({domain})"
    return None


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
    apps = sorted(applications, key=lambda a: a.id)
    pool = sorted(evaluators, key=lambda e: e.id)
    flow = _Flow(apps, pool, k, conflicts, existing)
    # The most constrained applications first: they spend few of the scarce choices.
    for i in sorted(range(len(apps)), key=lambda i: len(flow.allowed[i])):
        flow.greedy(i)
    flow.fill_shortfalls()
    flow.balance()
    loads = {e.id: flow.loads[j] for j, e in enumerate(pool)}
    pairs = [(apps[i].id, pool[j].id) for i in range(len(apps)) for j in flow.new[i]]
    shortfalls = [
        Shortfall(
            app.id, k, flow.count(i), _why_short(app, k, flow.count(i), pool, loads, conflicts)
        )
        for i, app in enumerate(apps)
        if flow.count(i) < k
    ]
    return Plan(pairs=pairs, shortfalls=shortfalls, loads=loads)


def _allowed(
    app: Applicant, pool: list[Candidate], conflicts: frozenset[tuple[str, str]]
) -> list[int]:
    """Indices of the evaluators `app` may have: expertise first, then hub, then by id."""
    groups: tuple[list[int], ...] = ([], [], [], [])
    for j, e in enumerate(pool):
        if (app.id, e.id) in conflicts or same_organisation(e, app):
            continue
        expert = bool(e.expertise & app.value_chains)
        local = app.hub is not None and app.hub in e.hubs
        groups[2 * (not expert) + (not local)].append(j)
    return [j for group in groups for j in group]


Move = tuple[int, int, int]  # (application, giver or -1 for none, taker)


class _Flow:
    """A b-matching of applications (k each) to evaluators (capacity each), by index.

    Only this plan's own pairs (`new`, `movable`) may move; existing ones stay. Moves follow
    augmenting paths: "j hands application i to j'" chains, found breadth first, each
    evaluator on a chain once (so its moves never collide)."""

    def __init__(
        self,
        apps: list[Applicant],
        pool: list[Candidate],
        k: int,
        conflicts: frozenset[tuple[str, str]],
        existing: Iterable[tuple[str, str]],
    ) -> None:
        self.k = k
        self.capacity = [e.capacity for e in pool]
        self.loads = [0] * len(pool)
        self.holders: list[set[int]] = [set() for _ in apps]
        self.outside = [0] * len(apps)  # held by someone gone from the pool: still counts
        self.new: list[list[int]] = [[] for _ in apps]
        self.movable: list[set[int]] = [set() for _ in pool]
        evaluator_index = {e.id: j for j, e in enumerate(pool)}
        app_index = {a.id: i for i, a in enumerate(apps)}
        for app_id, evaluator_id in set(existing):
            i, j = app_index.get(app_id), evaluator_index.get(evaluator_id)
            if j is not None:
                self.loads[j] += 1
            if i is not None and j is not None:
                self.holders[i].add(j)
            elif i is not None:
                self.outside[i] += 1
        self.allowed = [_allowed(app, pool, conflicts) for app in apps]

    def count(self, i: int) -> int:
        return len(self.holders[i]) + self.outside[i]

    def spare(self, j: int) -> bool:
        return self.loads[j] < self.capacity[j]

    def greedy(self, i: int) -> None:
        wanted = self.k - self.count(i)
        options = [j for j in self.allowed[i] if j not in self.holders[i] and self.spare(j)]
        # A stable sort: among equal loads the preference order of `allowed` stands.
        for j in sorted(options, key=self.loads.__getitem__)[: max(wanted, 0)]:
            self.apply([(i, -1, j)])

    def apply(self, moves: list[Move]) -> None:
        for i, giver, taker in moves:
            if giver >= 0:
                self.loads[giver] -= 1
                self.holders[i].remove(giver)
                self.movable[giver].remove(i)
                self.new[i].remove(giver)
            self.loads[taker] += 1
            self.holders[i].add(taker)
            self.movable[taker].add(i)
            self.new[i].append(taker)

    def search(
        self, starts: dict[int, Move | None], target: Callable[[int], bool], seen: set[int]
    ) -> list[Move] | None:
        """Breadth first from `starts` (each with the move that brings it in, if any) to an
        evaluator for which `target` holds; the moves of the chain, or None. Evaluators
        reached are added to `seen` and never entered again."""
        came_from = dict(starts)
        seen.update(starts)
        queue = deque(starts)
        while queue:
            giver = queue.popleft()
            if came_from[giver] is not None and target(giver):
                return self.chain(came_from, giver)
            for i in sorted(self.movable[giver]):
                for taker in self.allowed[i]:
                    if taker not in seen and taker not in self.holders[i]:
                        seen.add(taker)
                        came_from[taker] = (i, giver, taker)
                        queue.append(taker)
        return None

    @staticmethod
    def chain(came_from: dict[int, Move | None], end: int) -> list[Move]:
        moves = []
        step = came_from[end]
        while step is not None:
            moves.append(step)
            step = came_from[step[1]] if step[1] >= 0 else None
        return moves[::-1]

    def fill_shortfalls(self) -> None:
        """Serve an application left short by moving others' assignments to free a place
        (an augmenting path of the flow), until no such path is left."""
        progress = True
        while progress:
            progress = False
            dead: set[int] = set()  # lead to no spare place; valid until something moves
            for i in range(len(self.holders)):
                while self.count(i) < self.k:
                    starts: dict[int, Move | None] = {
                        j: (i, -1, j)
                        for j in self.allowed[i]
                        if j not in self.holders[i] and j not in dead
                    }
                    found = self.search(starts, self.spare, dead)
                    if found is None:
                        break
                    self.apply(found)
                    progress, dead = True, set()

    def balance(self) -> None:
        """Hand work from a load of L along a chain to an evaluator with at most L - 2 and
        room, highest L first, until no chain is left: then no spread of the loads the
        conflicts allow is narrower (each chain lowers the sum of squared loads)."""
        while True:
            with_room = [load for j, load in enumerate(self.loads) if self.spare(j)]
            if not with_room:
                return
            lowest = min(with_room)
            levels = {self.loads[j] for j, mine in enumerate(self.movable) if mine}
            above = sorted((x for x in levels if x >= lowest + 2), reverse=True)
            if not any(self.relieve(level) for level in above):
                return

    def relieve(self, level: int) -> bool:
        """One chain from an evaluator at `level` to one with room at `level` - 2 or less."""
        starts: dict[int, Move | None] = {
            j: None for j, load in enumerate(self.loads) if load == level and self.movable[j]
        }
        found = self.search(starts, lambda j: self.loads[j] <= level - 2 and self.spare(j), set())
        if found is not None:
            self.apply(found)
        return found is not None


def _why_short(
    app: Applicant,
    needed: int,
    assigned: int,
    pool: list[Candidate],
    loads: dict[str, int],
    conflicts: frozenset[tuple[str, str]],
) -> str:
    conflicted = sum(1 for e in pool if (app.id, e.id) in conflicts or same_organisation(e, app))
    full = sum(1 for e in pool if loads[e.id] >= e.capacity)
    return shortfall_reason(
        assigned=assigned, needed=needed, pool=len(pool), conflicted=conflicted, full=full
    )


def shortfall_reason(*, assigned: int, needed: int, pool: int, conflicted: int, full: int) -> str:
    """Why an application has fewer evaluators than the call asks for, in words."""
    if pool == 0:
        return f"{assigned} of {needed} evaluators: the call's pool is empty"
    return (
        f"{assigned} of {needed} evaluators: {pool} in the pool, {conflicted} conflicted, "
        f"{full} at capacity"
    )
