"""Root `node(id)` and `nodes(ids)`: refetch anything by its global id (Relay)."""

import asyncio

import strawberry

from graphql_api.auth.rules import can_see_order, can_see_post, viewer
from graphql_api.errors import BadUserInput
from graphql_api.schema.context import Info
from graphql_api.schema.orders import Order
from graphql_api.schema.posts import Post
from graphql_api.schema.products import Product
from graphql_api.schema.relay import Node, split_global_id
from graphql_api.schema.users import User

# Type name -> (the request's loader for it, the GraphQL type).
_TYPES = {
    "User": ("user_by_id", User),
    "Post": ("post_by_id", Post),
    "Product": ("product_by_id", Product),
    "Order": ("order_by_id", Order),
}


async def _load(info: Info, global_id: str) -> Node | None:
    parsed = split_global_id(global_id)
    if parsed is None or parsed[0] not in _TYPES:
        raise BadUserInput(f"Not a global id: {global_id!r}.", argument="id")
    type_name, object_id = parsed
    loader_name, node_type = _TYPES[type_name]
    document = await getattr(info.context.loaders, loader_name).load(object_id)
    if document is None:
        return None
    # The same rules as `post(id)` and `order(id)`.
    if node_type is Post and not can_see_post(await viewer(info), document):
        return None
    if node_type is Order and not can_see_order(await viewer(info), document):
        return None
    return node_type.from_document(document)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Anything with a global id, or null if it no longer exists.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load(info, id)

    @strawberry.field(description="Several nodes at once, in the order of `ids` (batched).")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        maximum = info.context.settings.max_page_size
        if len(ids) > maximum:
            raise BadUserInput(f"At most {maximum} ids at once.", argument="ids")
        return list(await asyncio.gather(*(_load(info, global_id) for global_id in ids)))
