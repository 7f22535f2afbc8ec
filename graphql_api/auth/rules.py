"""Who may do what: every authorization rule of the API, in one place.

Operation-level rules are Strawberry permission classes, attached to fields
in the schema (`permission_classes=[...]`): they raise UNAUTHENTICATED or
FORBIDDEN. Field-level visibility (a user's email, credits, orders, sessions)
is `may_see_private_fields` / `private_value`, which read as `null` for
others. Rules that depend on a stored document (who wrote a post, who placed
an order) are the `ensure_*` functions below, which the services call with
the document they load anyway.

| who            | may                                                                  |
|----------------|----------------------------------------------------------------------|
| anyone         | read published posts, products, public profiles; sign up; log in     |
| signed-in user | write posts and edit/publish/delete their own; order; see their own  |
|                | orders, email, credits, sessions; transfer their own credits; update |
|                | or deactivate themselves; cancel their own pending orders            |
| admin          | products and stock, order fulfilment, all users and orders,          |
|                | deactivate anyone, grant credits, analytics, drafts of anyone        |
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from bson import ObjectId
from strawberry.permission import BasePermission

from graphql_api.auth.viewer import Viewer
from graphql_api.errors import Forbidden, InvalidStatusTransition, NotFound, Unauthenticated
from graphql_api.models import ALLOWED_TRANSITIONS, OrderStatus

T = TypeVar("T")


async def viewer(info: Any) -> Viewer | None:
    return await info.context.viewer()


async def require_viewer(info: Any) -> Viewer:
    found = await info.context.viewer()
    if found is None:
        raise Unauthenticated(info.context.unauthenticated_reason())
    return found


async def require_admin(info: Any) -> Viewer:
    found = await require_viewer(info)
    if not found.is_admin:
        raise Forbidden("Only administrators may do this.")
    return found


class IsAuthenticated(BasePermission):
    message = "Sign in first."

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        await require_viewer(info)
        return True


class IsAdmin(BasePermission):
    message = "Only administrators may do this."

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        await require_admin(info)
        return True


async def may_see_private_fields(info: Any, user_id: ObjectId) -> bool:
    found = await info.context.viewer()
    return found is not None and found.is_self_or_admin(user_id)


def private_value(info: Any, user_id: ObjectId, value: T) -> T | Awaitable[T | None] | None:
    """`value` for the user themselves and admins, else None.

    Synchronous where it can be (no token: nobody; viewer already known), so
    that 50 authors' `email` in a feed cost no extra awaits; otherwise it
    returns an awaitable, which GraphQL execution awaits.
    """
    context = info.context
    known = context.known_viewer
    if known is not None:
        return value if known.is_self_or_admin(user_id) else None
    if context.token is None:
        return None

    async def later() -> T | None:
        return value if await may_see_private_fields(info, user_id) else None

    return later()


# --- rules on stored documents ------------------------------------------------


def can_see_post(viewer: Viewer | None, post: dict[str, Any]) -> bool:
    """Drafts are seen by their author and admins only; for others they do not exist."""
    return post.get("published", False) or (
        viewer is not None and viewer.is_self_or_admin(post.get("author_id"))
    )


def ensure_can_edit_post(viewer: Viewer, post: dict[str, Any] | None) -> dict[str, Any]:
    if post is None or not can_see_post(viewer, post):
        raise NotFound("No such post.")
    if not viewer.is_self_or_admin(post["author_id"]):
        raise Forbidden("Only the author of a post may change it.")
    return post


def can_see_order(viewer: Viewer | None, order: dict[str, Any]) -> bool:
    """Orders are seen by their buyer and admins only; for others they do not exist
    (null from a query, NOT_FOUND from a mutation), so an id reveals nothing."""
    return viewer is not None and viewer.is_self_or_admin(order.get("user_id"))


def ensure_can_see_order(viewer: Viewer, order: dict[str, Any]) -> None:
    if not viewer.is_self_or_admin(order["user_id"]):
        raise Forbidden("Only the buyer and administrators may see this order.")


def ensure_can_change_order_status(
    viewer: Viewer, order: dict[str, Any] | None, status: OrderStatus
) -> OrderStatus:
    """The order's current status, if `viewer` may move it to `status`.

    The workflow first: a move nobody may make (cancelling a cancelled order) is
    an invalid transition for buyers too; then who may make a valid one: buyers
    may only cancel their own pending order, the rest is fulfilment's (admins).
    """
    if order is None or not can_see_order(viewer, order):
        raise NotFound("No such order.")  # someone else's reads as a missing one
    current = OrderStatus(order["status"])
    if status not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[current])) or "none"
        raise InvalidStatusTransition(
            f"An order cannot go from {current.value} to {status.value} (allowed: {allowed}).",
            current=current.value,
            requested=status.value,
        )
    if not viewer.is_admin and (current, status) != (OrderStatus.PENDING, OrderStatus.CANCELLED):
        raise Forbidden("Buyers may only cancel a pending order; the rest is fulfilment's.")
    return current


def ensure_can_act_on_user(viewer: Viewer, user_id: ObjectId) -> None:
    if not viewer.is_self_or_admin(user_id):
        raise Forbidden("You may only do this to your own account.")


def ensure_can_list_drafts(viewer: Viewer | None, author_id: ObjectId | None) -> None:
    if viewer is None:
        raise Unauthenticated("Sign in to see drafts.")
    if not viewer.is_admin and author_id != viewer.user_id:
        raise Forbidden("Only authors see their own drafts.")
