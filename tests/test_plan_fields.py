"""A plan's field readers give what the general way (`Stored`: read, then complete) gives."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLBoolean, GraphQLString

from graphql_api.execution.collect import CantPlan
from graphql_api.execution.fields import Stored, StoredScalar
from graphql_api.execution.values import Leaf, NonNull
from graphql_api.models import Post
from graphql_api.schema.stored_fields import exposed_fields

TITLE = next(field for field in exposed_fields(Post) if field.attribute == "title")
PUBLISHED = next(field for field in exposed_fields(Post) if field.attribute == "published")


def _both(field: Any, completer: Any, exact: type, document: dict) -> tuple[Any, Any]:
    answers = []
    for plan in (Stored("k", field, completer), StoredScalar("k", field, completer, exact)):
        out: dict[str, Any] = {}
        try:
            plan.put(document, None, out, None)
            answers.append(out["k"])
        except CantPlan as refused:
            answers.append(type(refused))
    return answers[0], answers[1]


@pytest.mark.parametrize(
    "document",
    [{"title": "Hello"}, {"title": ""}, {"title": None}, {}, {"title": 7}, {"title": True}],
)
@pytest.mark.parametrize("non_null", [True, False])
def test_a_plain_scalar_is_read_as_the_general_way_reads_it(document, non_null):
    completer = Leaf(GraphQLString)
    one, two = _both(TITLE, NonNull(completer) if non_null else completer, str, document)
    assert one == two and type(one) is type(two)


@pytest.mark.parametrize("document", [{"published": True}, {"published": 0}, {"published": 1}])
def test_a_boolean_is_never_taken_for_an_int(document):
    one, two = _both(PUBLISHED, NonNull(Leaf(GraphQLBoolean)), bool, document)
    assert one == two and type(one) is type(two)
