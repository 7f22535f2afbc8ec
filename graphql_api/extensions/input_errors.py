"""Literal input errors are the client's input errors (BAD_USER_INPUT).

graphql-core reports a literal its scalar refuses as a malformed document; the
same value sent as a variable is BAD_USER_INPUT. Clients branch on the code, so
both spellings of the mistake get the same one.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension


class _CodedValuesOfCorrectType(ValuesOfCorrectTypeRule):
    """A literal the argument's type refuses (`limit: 1e10`, `price: "NaN"`) is the
    same mistake as the same value sent as a variable: BAD_USER_INPUT, not a
    malformed document."""

    def report_error(self, error: GraphQLError) -> None:
        # The exception a scalar raised (ValueError for an Int literal of 5,000 digits)
        # is dropped: its message is already in the error's, and an error that carries
        # an exception would be masked as an internal one.
        super().report_error(
            GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                extensions={"code": "BAD_USER_INPUT", **(error.extensions or {})},
            )
        )


class CodedInputErrors(SchemaExtension):
    """Swap graphql-core's literal check for the coded one (before validation runs)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            _CodedValuesOfCorrectType if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield
