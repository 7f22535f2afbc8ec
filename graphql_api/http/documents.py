"""What an operation's document asks for, read before execution to pick the transport.

A subscription needs a WebSocket and @defer/@stream need a multipart answer;
both are told from the syntax tree (GraphQL allows `@ defer`, and a string or
comment may say "@defer"), after a cheap text test that skips the parse for
nearly every request. A syntax error is left for Strawberry to report.
"""

from __future__ import annotations

from typing import Any

from graphql import DirectiveNode, GraphQLError, Visitor, get_operation_ast, parse, visit
from graphql import OperationType as DocumentOperation


def is_subscription(query: str | None, operation_name: str | None) -> bool:
    if not query or "subscription" not in query:  # skips the parse for nearly every request
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return False  # Strawberry reports the syntax error
    return operation is not None and operation.operation == DocumentOperation.SUBSCRIPTION


def is_incremental(query: str | None) -> bool:
    """Does the document use @defer or @stream? Read from its syntax tree: GraphQL
    allows `@ defer`, and a string or comment may say "@defer"."""
    if not query or "@" not in query:  # skips the parse for nearly every request
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False  # Strawberry reports the syntax error
    found = False

    class Directives(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            nonlocal found
            found = found or node.name.value in ("defer", "stream")

    visit(document, Directives())
    return found


__all__ = ["is_incremental", "is_subscription"]
