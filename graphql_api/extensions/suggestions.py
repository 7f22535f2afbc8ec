"""No "Did you mean ...?" when introspection is off.

graphql-core's validation and variable coercion suggest close names of fields,
arguments, types and enum values: with introspection disabled that would still
leak the schema, one typo at a time. Strawberry does not pass graphql-core's
`hide_suggestions`, so this extension strips the suggestion from every error of
an operation (HTTP and WebSocket alike) before it is formatted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

# graphql-core's did_you_mean(): " Did you mean 'a'?", "... 'a', 'b', or 'c'?",
# "... the enum value 'A'?"; names can't contain "?".
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    return SUGGESTION.sub("", message)


class HideSuggestions(SchemaExtension):
    """Cleans errors where they are made (validation, then execution's variable
    coercion): over WebSocket Strawberry sends a refusal before `on_operation`
    ends, so cleaning there alone would be too late."""

    def on_validate(self) -> Iterator[None]:
        yield
        self._clean()

    def on_execute(self) -> Iterator[None]:
        yield
        self._clean()

    def on_operation(self) -> Iterator[None]:
        yield
        self._clean()

    def _clean(self) -> None:
        context = self.execution_context
        errors = [*(context.pre_execution_errors or [])]
        result_errors = getattr(context.result, "errors", None)  # not on incremental results
        if result_errors:
            errors.extend(result_errors)
        for error in errors:
            error.message = without_suggestions(error.message)


__all__ = ["HideSuggestions", "without_suggestions"]
