"""Subscriptions over WebSocket, fed by MongoDB change streams (see `graphql_api.realtime`).

Each resolver checks its subscriber first, then asks for its changes
(`graphql_api.realtime.changes`): subscribers who would see the same answer
share one execution per event (`graphql_api.realtime.multiplex`), and each is
admitted by running its resolver up to that call. Each event starts afresh
(`Context.begin_event`): it is checked against the session's current state and
resolved with new loaders.
"""

from collections.abc import AsyncGenerator

import strawberry

from graphql_api.auth.rules import (
    IsAdmin,
    ensure_can_see_order,
    require_admin,
    require_viewer,
)
from graphql_api.models import OrderStatus
from graphql_api.realtime import changes
from graphql_api.schema.context import Info
from graphql_api.schema.orders import Order
from graphql_api.schema.posts import Post
from graphql_api.schema.relay import parse_id
from graphql_api.services import orders as orders_service


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The order each time its status changes (its buyer and admins)."
    )
    async def order_status_changed(
        self, info: Info, order_id: strawberry.ID
    ) -> AsyncGenerator[Order, None]:
        viewer = await require_viewer(info)
        order_oid = parse_id(order_id, "Order", "orderId")
        # Someone else's order does not exist for you, as in `order(id)`.
        order = await orders_service.visible_order(viewer, order_oid)
        feed = await changes(
            info.context.hub, "orders", lambda change: change["documentKey"]["_id"] == order_oid
        )
        async for change in feed:
            info.context.begin_event()
            ensure_can_see_order(await require_viewer(info), order)  # still signed in?
            if change.get("fullDocument"):
                yield Order.from_document(change["fullDocument"])

    @strawberry.subscription(
        description="Every order that reaches COMPLETED: the fulfilment feed (admins).",
        permission_classes=[IsAdmin],
    )
    async def orders_completed(self, info: Info) -> AsyncGenerator[Order, None]:
        completed = OrderStatus.COMPLETED.value
        await require_admin(info)
        feed = await changes(
            info.context.hub,
            "orders",
            lambda change: change["updateDescription"]["updatedFields"].get("status") == completed,
        )
        async for change in feed:
            info.context.begin_event()
            await require_admin(info)  # still signed in, still an admin?
            if change.get("fullDocument"):
                yield Order.from_document(change["fullDocument"])

    @strawberry.subscription(description="Posts as they are published (anyone).")
    async def post_published(self, info: Info) -> AsyncGenerator[Post, None]:
        if info.context.token is not None:
            await require_viewer(info)  # a token that is no longer valid is refused
        feed = await changes(info.context.hub, "posts", lambda change: True)
        async for change in feed:
            info.context.begin_event()
            if info.context.token is not None:
                await require_viewer(info)  # a signed-in socket stays signed in
            post = change.get("fullDocument")
            # Looked up when delivered: unpublished again meanwhile, it is a draft now.
            if post and post.get("published"):
                yield Post.from_document(post)
