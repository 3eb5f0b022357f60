"""GraphQL types of the registry: hubs, value chains, missions, challenges, open calls."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import strawberry

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from shared.api import registry as api

# The domain's enums, registered with GraphQL names (strawberry.enum marks the class itself).
CountryPart = strawberry.enum(api.CountryPart, name="CountryPart")
QuestionType = strawberry.enum(api.QuestionType, name="QuestionType")
# GraphQL names them as the code does (schema v2; v1 called the status `CallLifecycle` and the
# phase `CallStatus`).
CallStatus = strawberry.enum(api.CallStatus, name="CallStatus")
CallPhase = strawberry.enum(
    api.CallPhase,
    name="CallPhase",
    description="Published calls are upcoming, open or closed by the server clock.",
)


@strawberry.type
class LocalizedText:
    lang: str
    text: str


def localized(values: dict[str, str]) -> list[LocalizedText]:
    return [LocalizedText(lang=k, text=v) for k, v in values.items()]


@strawberry.type
class Country:
    code: str
    name: str


@strawberry.type(
    description="A country a hub covers; `part` is set where a country is split (France)."
)
class CountryCoverage:
    code: str
    part: CountryPart | None

    @strawberry.field
    async def name(self, info: Info) -> str:
        return await info.context.loaders.country_name.load(self.code)


@strawberry.type
class ValueChain:
    code: str
    name: str


@strawberry.type(
    description="A circular strategy of the R ladder; `targeted` marks the ones the programme seeks."
)
class Strategy:
    code: str
    name: str
    targeted: bool


@strawberry.type
class OrganisationType:
    code: str
    name: str


@strawberry.type
class Hub:
    code: str
    name: str
    host_organisation: str
    countries: list[CountryCoverage]

    @classmethod
    def of(cls, hub: api.Hub) -> Hub:
        return from_contract(cls, hub)

    @strawberry.field
    async def missions(self, info: Info) -> list[Mission]:
        found = await info.context.loaders.missions_by_hub.load(self.code)
        return [Mission.of(m) for m in found]


async def load_hub(info: Info, code: str) -> Hub:
    hub = await info.context.loaders.hub.load(code)
    assert hub is not None, f"hub {code} is programme data and always exists"
    return Hub.of(hub)


async def load_value_chains(info: Info, codes: list[str]) -> list[ValueChain]:
    found = await info.context.loaders.value_chain.load_many(codes)
    return [from_contract(ValueChain, v) for v in found if v is not None]


@strawberry.type
class Mission:
    id: strawberry.ID
    title: str
    description: str
    strategies: list[str]
    created_at: datetime
    hub_code: strawberry.Private[str]
    value_chain_codes: strawberry.Private[list[str]]

    @classmethod
    def of(cls, mission: api.Mission) -> Mission:
        return from_contract(
            cls, mission, hub_code=mission.hub, value_chain_codes=mission.value_chains
        )

    @strawberry.field
    async def hub(self, info: Info) -> Hub:
        return await load_hub(info, self.hub_code)

    @strawberry.field
    async def value_chains(self, info: Info) -> list[ValueChain]:
        return await load_value_chains(info, self.value_chain_codes)

    @strawberry.field
    async def challenges(self, info: Info) -> list[Challenge]:
        found = await info.context.loaders.challenges_by_mission.load(str(self.id))
        return [Challenge.of(c) for c in found]


@strawberry.type
class Challenge:
    id: strawberry.ID
    title: str
    description: str
    strategies: list[str]
    created_at: datetime
    mission_id: strawberry.Private[str]
    hub_code: strawberry.Private[str]

    @classmethod
    def of(cls, challenge: api.Challenge) -> Challenge:
        return from_contract(
            cls, challenge, mission_id=challenge.mission_id, hub_code=challenge.hub
        )

    @strawberry.field
    async def mission(self, info: Info) -> Mission:
        mission = await info.context.loaders.mission.load(self.mission_id)
        assert mission is not None, "a challenge's mission is never deleted"
        return Mission.of(mission)

    @strawberry.field
    async def hub(self, info: Info) -> Hub:
        return await load_hub(info, self.hub_code)


@strawberry.type
class Option:
    value: str
    labels: list[LocalizedText]
    raw_labels: strawberry.Private[dict[str, str]]

    @classmethod
    def of(cls, option: api.Option) -> Option:
        return from_contract(cls, option, labels=localized(option.labels), raw_labels=option.labels)

    @strawberry.field(description="The label in `lang`, or in English when there is none.")
    def label(self, lang: str = "en") -> str:
        return api.text_in(self.raw_labels, lang)


@strawberry.type(description="One question of a call's application form.")
class Question:
    key: str
    type: QuestionType
    required: bool
    labels: list[LocalizedText]
    help: list[LocalizedText]
    max_length: int | None
    max_words: int | None
    min_value: float | None
    max_value: float | None
    options: list[Option]
    max_picks: int | None
    allowed_types: list[str]
    max_size_bytes: float | None = strawberry.field(
        description="Bytes (a Float: files may exceed 2 GiB)."
    )
    max_count: int | None
    raw: strawberry.Private[api.Question]

    @classmethod
    def of(cls, q: api.Question) -> Question:
        return from_contract(
            cls, q, labels=localized(q.labels), help=localized(q.help), raw=q,
            options=[Option.of(o) for o in q.options],
        )  # fmt: skip

    @strawberry.field(description="The label in `lang`, or in English when there is none.")
    def label(self, lang: str = "en") -> str:
        return api.text_in(self.raw.labels, lang)

    @strawberry.field
    def help_text(self, lang: str = "en") -> str:
        return api.text_in(self.raw.help, lang)


@strawberry.type
class Form:
    questions: list[Question]
    languages: list[str] = strawberry.field(description="Languages every label is given in.")


def form_of(form: api.Form) -> Form:
    return Form(questions=[Question.of(q) for q in form.questions], languages=form.languages)


@strawberry.type
class Criterion:
    key: str
    labels: list[LocalizedText]
    guidance: list[LocalizedText]
    weight: float
    threshold: float
    raw_labels: strawberry.Private[dict[str, str]]

    @classmethod
    def of(cls, c: api.Criterion) -> Criterion:
        return from_contract(
            cls, c, labels=localized(c.labels), guidance=localized(c.guidance), raw_labels=c.labels
        )

    @strawberry.field
    def label(self, lang: str = "en") -> str:
        return api.text_in(self.raw_labels, lang)


@strawberry.type(
    description="Scores are 0-5 in half points; thresholds apply to unweighted scores."
)
class Rubric:
    criteria: list[Criterion]
    overall_threshold: float


def rubric_of(rubric: api.Rubric) -> Rubric:
    return from_contract(Rubric, rubric, criteria=[Criterion.of(c) for c in rubric.criteria])


@strawberry.type
class OpenCall:
    id: strawberry.ID
    title: str = strawberry.field(description="In English; see titleTranslations.")
    description: str = strawberry.field(description="In English; see descriptionTranslations.")
    title_translations: list[LocalizedText] = strawberry.field(
        description="The title in languages other than English."
    )
    description_translations: list[LocalizedText] = strawberry.field(
        description="The description in languages other than English."
    )
    budget: float
    max_grant: float
    currency: str
    opens_at: datetime
    closes_at: datetime
    evaluation_deadline: datetime | None = strawberry.field(
        description="When evaluations are due (null: not set)."
    )
    timezone: str
    eligible_countries: list[CountryCoverage]
    organisation_types: list[str]
    form: Form
    rubric: Rubric
    evaluators_per_application: int
    blind: bool
    retention_days: int = strawberry.field(
        description="Days after the results until unfunded applications are anonymised."
    )
    status: CallPhase
    lifecycle: CallStatus
    published_at: datetime | None
    editable_fields: list[str] = strawberry.field(
        description="The CallUpdateInput fields (as named there) the registry accepts now from "
        "you: every one on a draft you manage; once published only retentionDays, until the "
        "results (the terms stay as announced to applicants); none when you may not manage "
        "the call."
    )
    raw: strawberry.Private[api.Call]

    @classmethod
    def of(cls, call: api.Call) -> OpenCall:
        # GraphQL's `status` is the phase a reader sees; `lifecycle` the registry's status.
        return from_contract(
            cls, call, form=form_of(call.form), rubric=rubric_of(call.rubric),
            status=call.phase, lifecycle=call.status, raw=call,
        )  # fmt: skip

    @strawberry.field(description="True when run by the programme for all hubs.")
    def programme_wide(self) -> bool:
        return self.raw.hub is None

    @strawberry.field(description="The hub that runs it; null for a programme-wide call.")
    async def hub(self, info: Info) -> Hub | None:
        return await load_hub(info, self.raw.hub) if self.raw.hub else None

    @strawberry.field
    async def hubs(self, info: Info) -> list[Hub]:
        found = await info.context.loaders.hub.load_many(self.raw.hubs)
        return [Hub.of(h) for h in found if h is not None]

    @strawberry.field
    async def challenges(self, info: Info) -> list[Challenge]:
        found = await info.context.loaders.challenge.load_many(self.raw.challenge_ids)
        return [Challenge.of(c) for c in found if c is not None]

    @strawberry.field(description="The opening instant in the call's time zone (ISO 8601).")
    def opens_at_local(self) -> str:
        return self.opens_at.astimezone(ZoneInfo(self.timezone)).isoformat()

    @strawberry.field(description="The closing instant in the call's time zone (ISO 8601).")
    def closes_at_local(self) -> str:
        return self.closes_at.astimezone(ZoneInfo(self.timezone)).isoformat()
