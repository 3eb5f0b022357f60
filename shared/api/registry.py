"""Registry bodies: hubs, value chains, missions, challenges and open calls."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

import msgspec

# The status enums live with their rule; the registry's bodies carry them.
from shared.call_status import CallPhase as CallPhase
from shared.call_status import CallStatus as CallStatus
from shared.routes import Route


class CountryPart(enum.StrEnum):
    NORTH = "north"
    SOUTH = "south"


class Coverage(msgspec.Struct, frozen=True):
    """A country a hub covers; `part` is set where a country is split between hubs (France)."""

    code: str
    part: CountryPart | None = None


class Country(msgspec.Struct, frozen=True):
    code: str
    name: str


class Hub(msgspec.Struct, frozen=True):
    code: str
    name: str
    host_organisation: str
    countries: list[Coverage]


class ValueChain(msgspec.Struct, frozen=True):
    code: str
    name: str


class Strategy(msgspec.Struct, frozen=True):
    code: str
    name: str
    targeted: bool


class OrganisationType(msgspec.Struct, frozen=True):
    code: str
    name: str


class Mission(msgspec.Struct, frozen=True):
    id: str
    hub: str
    title: str
    description: str
    value_chains: list[str]
    strategies: list[str]
    created_at: datetime


class MissionCreate(msgspec.Struct, frozen=True, kw_only=True):
    hub: str
    title: str
    description: str = ""
    value_chains: list[str]
    strategies: list[str] = []


class MissionUpdate(msgspec.Struct, frozen=True, kw_only=True):
    title: str | None = None
    description: str | None = None
    value_chains: list[str] | None = None
    strategies: list[str] | None = None


class Challenge(msgspec.Struct, frozen=True):
    id: str
    mission_id: str
    hub: str
    title: str
    description: str
    strategies: list[str]
    created_at: datetime


class ChallengeCreate(msgspec.Struct, frozen=True, kw_only=True):
    mission_id: str
    title: str
    description: str = ""
    strategies: list[str] = []


class ChallengeUpdate(msgspec.Struct, frozen=True, kw_only=True):
    title: str | None = None
    description: str | None = None
    strategies: list[str] | None = None


# A call's texts are written in English first; other languages are translations of them.
MAIN_LANGUAGE = "en"
# Characters in one answer, whatever its question: pages more than any question asks. A form
# may not promise more (intake refuses a longer answer outright).
ANSWER_TEXT_MOST = 100_000
# Words per 6 characters (a word and its space, on average, and far more than any asks).
ANSWER_WORDS_MOST = ANSWER_TEXT_MOST // 6


def text_in(texts: Mapping[str, str], lang: str) -> str:
    """A label or help text in `lang`, or in English when it is not given in `lang`."""
    return texts.get(lang) or texts.get(MAIN_LANGUAGE, "")


class QuestionType(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    DECLARATION = "declaration"
    COUNTRY = "country"
    REQUESTED_AMOUNT = "requested_amount"
    FILE = "file"


class LocalizedText(msgspec.Struct, frozen=True):
    """A text in one language; a list of them keeps the author's order (and each one's place
    for a field error such as `titleTranslations.0.lang`)."""

    lang: str
    text: str


class Option(msgspec.Struct, frozen=True):
    value: str
    labels: dict[str, str]


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """One form question. Only the fields of its type apply; labels are keyed by language."""

    key: str
    type: QuestionType
    labels: dict[str, str]
    help: dict[str, str] = {}
    required: bool = True
    max_length: int | None = None
    max_words: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    options: list[Option] = []
    max_picks: int | None = None
    allowed_types: list[str] = []
    max_size_bytes: int | None = None
    max_count: int | None = None


class Form(msgspec.Struct, frozen=True):
    questions: list[Question]

    @property
    def title_key(self) -> str | None:
        """The question whose answer titles an application: the form's first short-text
        question (the project title in every call the programme writes)."""
        return next((q.key for q in self.questions if q.type is QuestionType.SHORT_TEXT), None)

    @property
    def languages(self) -> list[str]:
        """The languages every question's label is given in, English first."""
        given = [set(q.labels) for q in self.questions]
        common = set.intersection(*given) if given else {MAIN_LANGUAGE}
        return [MAIN_LANGUAGE, *sorted(common - {MAIN_LANGUAGE})]

    def title_of(self, answers: Mapping[str, object]) -> str | None:
        """An application's title, or None when it has none yet."""
        answer = answers.get(self.title_key) if self.title_key else None
        return (answer.strip() or None) if isinstance(answer, str) else None


class Criterion(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    labels: dict[str, str]
    guidance: dict[str, str] = {}
    weight: float = 1.0
    threshold: float = 3.0


class Rubric(msgspec.Struct, frozen=True, kw_only=True):
    criteria: list[Criterion]
    overall_threshold: float = 10.0


class Call(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    description: str
    title_translations: list[LocalizedText] = []
    description_translations: list[LocalizedText] = []
    hub: str | None
    hubs: list[str]
    challenge_ids: list[str]
    budget: float
    max_grant: float
    currency: str
    opens_at: datetime
    closes_at: datetime
    timezone: str
    eligible_countries: list[Coverage]
    organisation_types: list[str]
    form: Form
    rubric: Rubric
    evaluators_per_application: int
    blind: bool
    status: CallStatus
    phase: CallPhase
    created_at: datetime
    published_at: datetime | None
    evaluation_deadline: datetime | None = None
    retention_days: int = 365
    # The CallUpdate fields (camelCase, as the GraphQL input names them) the registry accepts
    # now from the viewer who asked: all of them on a draft they manage, else none.
    editable_fields: list[str] = []


class CallCreate(msgspec.Struct, frozen=True, kw_only=True):
    """`hub` None means a programme-wide call, run for all hubs (admins only)."""

    title: str
    description: str = ""
    title_translations: list[LocalizedText] = []
    description_translations: list[LocalizedText] = []
    hub: str | None = None
    challenge_ids: list[str]
    budget: float
    max_grant: float
    opens_at: datetime
    closes_at: datetime
    evaluation_deadline: datetime | None = None
    timezone: str = "Europe/Brussels"
    eligible_countries: list[Coverage] | None = None
    organisation_types: list[str] | None = None
    form: Form
    rubric: Rubric | None = None
    evaluators_per_application: int = 3
    blind: bool = False
    # Days after the results until unfunded applications are anonymised (GDPR).
    retention_days: int = 365


class CallUpdate(msgspec.Struct, frozen=True, kw_only=True):
    title: str | None = None
    description: str | None = None
    title_translations: list[LocalizedText] | None = None
    description_translations: list[LocalizedText] | None = None
    challenge_ids: list[str] | None = None
    budget: float | None = None
    max_grant: float | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    evaluation_deadline: datetime | None = None
    timezone: str | None = None
    eligible_countries: list[Coverage] | None = None
    organisation_types: list[str] | None = None
    form: Form | None = None
    rubric: Rubric | None = None
    evaluators_per_application: int | None = None
    blind: bool | None = None
    retention_days: int | None = None


class CallTransition(msgspec.Struct, frozen=True):
    status: CallStatus


# The registry's HTTP interface: each route once, with the types of its body and answer. A
# route that shares another's path names it (`GET_CALL.path`), so no path is written twice.
HUBS = Route("GET", "/hubs", list[Hub])
HUBS_WITHOUT_MISSION = Route("GET", "/hubs/without-mission", list[str])
VALUE_CHAINS = Route("GET", "/value-chains", list[ValueChain])
STRATEGIES = Route("GET", "/strategies", list[Strategy])
COUNTRIES = Route("GET", "/countries", list[Country])
ORGANISATION_TYPES = Route("GET", "/organisation-types", list[OrganisationType])
MISSIONS = Route("GET", "/missions", list[Mission])
CREATE_MISSION = Route("POST", MISSIONS.path, Mission, MissionCreate)
UPDATE_MISSION = Route("PATCH", "/missions/{mission_id:str}", Mission, MissionUpdate)
CHALLENGES = Route("GET", "/challenges", list[Challenge])
CREATE_CHALLENGE = Route("POST", CHALLENGES.path, Challenge, ChallengeCreate)
UPDATE_CHALLENGE = Route("PATCH", "/challenges/{challenge_id:str}", Challenge, ChallengeUpdate)
CALLS = Route("GET", "/calls", list[Call])
GET_CALL = Route("GET", "/calls/{call_id:str}", Call)
CREATE_CALL = Route("POST", CALLS.path, Call, CallCreate)
UPDATE_CALL = Route("PATCH", GET_CALL.path, Call, CallUpdate)
CLONE_CALL = Route("POST", GET_CALL.path + "/clone", Call)
PUBLISH_CALL = Route("POST", GET_CALL.path + "/publish", Call)
TRANSITION_CALL = Route("POST", GET_CALL.path + "/transition", Call, CallTransition)
