"""Where gateway.schema imports review's root types from until it names queries.py and
mutations.py itself (the lead's edit); then this module goes."""

from gateway.schema.review.mutations import ReviewMutation
from gateway.schema.review.queries import ReviewQuery

__all__ = ["ReviewMutation", "ReviewQuery"]
