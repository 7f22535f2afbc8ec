"""One declaration per stored type: the GraphQL field, projection and conversion all
come from the model's `Exposed` fields (graphql_api/schema/stored.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import pytest
import strawberry
from bson import Decimal128, ObjectId
from pydantic import BaseModel

from graphql_api import models
from graphql_api.models.exposed import Exposed
from graphql_api.schema import schema
from graphql_api.schema.orders import Order
from graphql_api.schema.posts import Post
from graphql_api.schema.products import Product
from graphql_api.schema.relay import Node
from graphql_api.schema.sessions import Session
from graphql_api.schema.stored import reads, stored_type
from graphql_api.schema.users import User

STORED_TYPES = {User: models.User, Post: models.Post, Order: models.Order, Product: models.Product}


def exposed(model: type[BaseModel]) -> set[str]:
    return {
        name
        for name, info in model.model_fields.items()
        if any(isinstance(item, Exposed) for item in info.metadata)
    }


@pytest.mark.parametrize("graphql_type", [*STORED_TYPES, Session])
def test_every_exposed_field_is_a_graphql_field_and_nothing_else_is_stored(graphql_type):
    model = graphql_type.stored.model
    served = schema.get_type_by_name(graphql_type.stored.name)
    names = {field.python_name for field in served.fields}
    assert exposed(model) <= names
    # What is not exposed never reaches the type: hashes, foreign keys.
    hidden = set(model.model_fields) - exposed(model) - {"id", "revision_id"}
    assert not hidden & names, hidden & names
    assert "password_hash" in hidden or model is not models.User


def test_a_projection_holds_exactly_what_the_selection_reads():
    assert Post.stored.projection({"title", "author"}) == {"_id": 1, "title": 1, "author_id": 1}
    assert Post.stored.projection({"id", "__typename"}) == {"_id": 1}
    # An owner-only field also reads the owner's id (the document's own here).
    assert User.stored.projection({"email"}) == {"_id": 1, "email": 1}
    assert User.stored.projection({"posts"}) == {"_id": 1}
    # A name the type does not know: read the whole document rather than guess.
    assert Post.stored.projection({"title", "somethingNew"}) is None


def test_documents_convert_as_the_model_declares():
    oid = ObjectId()
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    order = Order.from_document(
        {
            "_id": oid,
            "user_id": ObjectId(),
            "status": "paid",
            "total": Decimal128("21.00"),
            "items": [
                {"sku": "A-1", "name": "A", "quantity": 2, "unit_price": Decimal128("10.50")}
            ],
            "created_at": now,
            "updated_at": now,
        }
    )
    assert order.database_id == str(oid)
    assert order.status is models.OrderStatus.PAID
    assert order.total == Decimal("21.00") and isinstance(order.total, Decimal)
    assert order.items[0].unit_price == Decimal("10.50")
    assert order.items[0].sku == "A-1"
    # Keys a projection left out read as null, lists as empty.
    partial = Post.from_document({"_id": oid, "title": "T"})
    assert (partial.title, partial.tags, partial.published_at) == ("T", [], None)


def test_a_new_exposed_field_is_one_edit():
    class Colour(StrEnum):
        RED = "red"

    class Widget(BaseModel):
        name: Annotated[str, Exposed("What it is called.")]
        colour: Annotated[Colour, Exposed()]
        price: Annotated[Decimal, Exposed(owner_only=True)]
        secret: str

    strawberry.enum(Colour)

    @stored_type(Widget, description="A test type.", owner="owner_id")
    class WidgetType(Node):
        pass

    fields = {f.python_name: f for f in WidgetType.__strawberry_definition__.fields}
    assert set(fields) == {"id", "database_id", "name", "colour", "price"}
    assert fields["name"].description == "What it is called."
    assert WidgetType.stored.projection({"price"}) == {"_id": 1, "price": 1, "owner_id": 1}
    widget = WidgetType.from_document({"_id": ObjectId(), "name": "w", "colour": "red"})
    assert widget.colour is Colour.RED


def test_a_hand_written_field_must_say_what_it_reads():
    class Thing(BaseModel):
        name: Annotated[str, Exposed()]

    with pytest.raises(TypeError, match="reads"):

        @stored_type(Thing, description="Refused.")
        class ThingType:
            @strawberry.field
            def shout(self) -> str:
                return self.name.upper()

    @stored_type(Thing, description="Accepted.", identity=None)
    class SaysSo:
        @strawberry.field(metadata=reads("name"))
        def shout(self) -> str:
            return self.name.upper()

    assert SaysSo.stored.projection({"shout"}) == {"_id": 1, "name": 1}
