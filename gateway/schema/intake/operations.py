"""Where gateway.schema imports intake's root types from until it names queries.py,
mutations.py and subscriptions.py itself (the lead's edit); then this module goes."""

from gateway.schema.intake.mutations import IntakeMutation
from gateway.schema.intake.queries import IntakeQuery
from gateway.schema.intake.subscriptions import IntakeSubscription

__all__ = ["IntakeMutation", "IntakeQuery", "IntakeSubscription"]
