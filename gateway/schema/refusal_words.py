"""GraphQL's own refusals in words for the person who sent the request: not Python's words
("Exceeds the limit (4300 digits) for integer string conversion …") nor the refused value
echoed back (a variable's value is printed as a Python dict, its password included). Pure."""

from __future__ import annotations

import re

from graphql import GraphQLError

FOUND = re.compile(r"[;,] found: .*\.\Z", re.DOTALL)  # the value, at the end of the message
TOO_MANY_DIGITS = "A number in the query has too many digits to be an Int."


def in_plain_words(error: GraphQLError) -> GraphQLError:
    """`error` with its message in plain words (the same error object)."""
    if "integer string conversion" in error.message:
        error.message = TOO_MANY_DIGITS
    elif error.message.startswith(("Variable '$", "Expected value of type")):
        error.message = FOUND.sub(".", error.message)
    return error
