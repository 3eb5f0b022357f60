"""GraphQL's own refusals in words for the person who sent the request: not Python's words
("Exceeds the limit (4300 digits) for integer string conversion …") nor the refused value
echoed back (a variable's value is printed as a Python dict, its password included). Pure."""

from __future__ import annotations

import re

from graphql import GraphQLError

FOUND = re.compile(r"[;,] found: .*\.\Z", re.DOTALL)  # the value, at the end of the message
# A file mapped into a variable that is not an Upload: graphql-core prints the Python object.
FILE_GIVEN = re.compile(
    r"\A(Variable '\$\w+') has invalid value( at \S+)?: (\w+) cannot represent .*<\w+ instance>"
)
TOO_MANY_DIGITS = "A number in the query has too many digits to be an Int."


def in_plain_words(error: GraphQLError) -> GraphQLError:
    """`error` with its message in plain words (the same error object)."""
    if "integer string conversion" in error.message:
        error.message = TOO_MANY_DIGITS
    elif given := FILE_GIVEN.match(error.message):
        where = f" (at {given[2][4:]})" if given[2] else ""
        error.message = f"{given[1]} got a file{where}, where a value of type {given[3]} goes."
    elif error.message.startswith(("Variable '$", "Expected value of type")):
        error.message = FOUND.sub(".", error.message)
    return error
