"""GraphQL inputs for registry writes; converted to the registry's msgspec bodies as they are."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.schema.registry.types import CountryPart, QuestionType

TRANSLATIONS = "Languages other than English (the main text is English), each once."
EVALUATION_DEADLINE = "When evaluations are due; after the closing instant."


RETENTION = (
    "Days after the results until unfunded applications are anonymised (30 to 3650); may "
    "change until the results are published."
)


@strawberry.input
class LocalizedTextInput:
    lang: str
    text: str


@strawberry.input
class MissionInput:
    hub: str
    title: str
    description: str = ""
    value_chains: list[str]
    strategies: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class MissionUpdateInput:
    title: str | None = None
    description: str | None = None
    value_chains: list[str] | None = None
    strategies: list[str] | None = None


@strawberry.input
class ChallengeInput:
    mission_id: strawberry.ID
    title: str
    description: str = ""
    strategies: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class ChallengeUpdateInput:
    title: str | None = None
    description: str | None = None
    strategies: list[str] | None = None


@strawberry.input
class CoverageInput:
    code: str
    part: CountryPart | None = None


@strawberry.input
class OptionInput:
    value: str
    labels: list[LocalizedTextInput]


@strawberry.input
class QuestionInput:
    key: str
    type: QuestionType
    labels: list[LocalizedTextInput]
    help: list[LocalizedTextInput] | None = None
    required: bool = True
    max_length: int | None = None
    max_words: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    options: list[OptionInput] | None = None
    max_picks: int | None = None
    allowed_types: list[str] | None = None
    max_size_bytes: float | None = None
    max_count: int | None = None


@strawberry.input
class FormInput:
    questions: list[QuestionInput]


@strawberry.input
class CriterionInput:
    key: str
    labels: list[LocalizedTextInput]
    guidance: list[LocalizedTextInput] | None = None
    weight: float = 1.0
    threshold: float = 3.0


@strawberry.input
class RubricInput:
    criteria: list[CriterionInput]
    overall_threshold: float = 10.0


@strawberry.input(description="Leave `hub` out for a programme-wide call (programme team only).")
class CallInput:
    title: str = strawberry.field(description="In English; other languages in titleTranslations.")
    description: str = ""
    title_translations: list[LocalizedTextInput] | None = strawberry.field(
        default=None, description=TRANSLATIONS
    )
    description_translations: list[LocalizedTextInput] | None = strawberry.field(
        default=None, description=TRANSLATIONS
    )
    hub: str | None = None
    challenge_ids: list[strawberry.ID]
    budget: float
    max_grant: float
    opens_at: datetime
    closes_at: datetime
    evaluation_deadline: datetime | None = strawberry.field(
        default=None, description=EVALUATION_DEADLINE
    )
    timezone: str = "Europe/Brussels"
    eligible_countries: list[CoverageInput] | None = strawberry.field(
        default=None, description="Defaults to the coverage of the call's hubs."
    )
    organisation_types: list[str] | None = None
    form: FormInput
    rubric: RubricInput | None = strawberry.field(
        default=None,
        description="Defaults to Excellence, Impact, Implementation (threshold 3, overall 10).",
    )
    evaluators_per_application: int = 3
    blind: bool = False
    retention_days: int = strawberry.field(default=365, description=RETENTION)


@strawberry.input(
    description="Left out (or null) keeps the value. OpenCall.editableFields lists what may "
    "change now."
)
class CallUpdateInput:
    title: str | None = None
    description: str | None = None
    title_translations: list[LocalizedTextInput] | None = strawberry.field(
        default=None, description=TRANSLATIONS + " A list given replaces the earlier one."
    )
    description_translations: list[LocalizedTextInput] | None = strawberry.field(
        default=None, description=TRANSLATIONS + " A list given replaces the earlier one."
    )
    challenge_ids: list[strawberry.ID] | None = None
    budget: float | None = None
    max_grant: float | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    evaluation_deadline: datetime | None = strawberry.field(
        default=None, description=EVALUATION_DEADLINE
    )
    timezone: str | None = None
    eligible_countries: list[CoverageInput] | None = None
    organisation_types: list[str] | None = None
    form: FormInput | None = None
    rubric: RubricInput | None = None
    evaluators_per_application: int | None = None
    blind: bool | None = None
    retention_days: int | None = strawberry.field(default=None, description=RETENTION)
