"""Every HTTP handler of review, by use-case group; each is declared with its route in
shared.api.review."""

from services.review.routes import (
    assignments,
    conflicts,
    evaluations,
    evaluators,
    export,
    moderation,
    pools,
    rankings,
    results,
)

ROUTES = [
    *evaluators.ROUTES, *conflicts.ROUTES, *assignments.ROUTES, *evaluations.ROUTES,
    *pools.ROUTES, *rankings.ROUTES, *moderation.ROUTES, *results.ROUTES, *export.ROUTES,
]  # fmt: skip
