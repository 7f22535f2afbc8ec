from collections.abc import AsyncIterator
from typing import Any, Optional, Union

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .catalogue import Catalogue
from .feed import Feed
from .follow_order import FollowOrder
from .input_types import OrderItemInput
from .login import Login
from .me import Me
from .new_posts import NewPosts
from .place_order import PlaceOrder
from .user_page import UserPage


def gql(q: str) -> str:
    return q


class Client(AsyncBaseClient):
    async def login(self, username: str, password: str, **kwargs: Any) -> Login:
        query = gql("""
            mutation Login($username: String!, $password: String!) {
              login(input: {username: $username, password: $password}) {
                token
                expiresAt
                user {
                  id
                  username
                }
              }
            }
            """)
        variables: dict[str, object] = {"username": username, "password": password}
        response = await self.execute(
            query=query, operation_name="Login", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Login.model_validate(data)

    async def catalogue(
        self,
        category: Union[Optional[str], UnsetType] = UNSET,
        first: Union[Optional[int], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> Catalogue:
        query = gql("""
            query Catalogue($category: String, $first: Int = 20) {
              products(filter: {category: $category, inStock: true}, first: $first) {
                edges {
                  node {
                    sku
                    name
                    price
                    stock
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"category": category, "first": first}
        response = await self.execute(
            query=query, operation_name="Catalogue", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Catalogue.model_validate(data)

    async def place_order(
        self, items: list[OrderItemInput], **kwargs: Any
    ) -> PlaceOrder:
        query = gql("""
            mutation PlaceOrder($items: [OrderItemInput!]!) {
              placeOrder(input: {items: $items}) {
                id
                status
                total
                items {
                  sku
                  quantity
                  unitPrice
                }
              }
            }
            """)
        variables: dict[str, object] = {"items": items}
        response = await self.execute(
            query=query, operation_name="PlaceOrder", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return PlaceOrder.model_validate(data)

    async def follow_order(
        self, order_id: str, **kwargs: Any
    ) -> AsyncIterator[FollowOrder]:
        query = gql("""
            subscription FollowOrder($orderId: ID!) {
              orderStatusChanged(orderId: $orderId) {
                id
                status
              }
            }
            """)
        variables: dict[str, object] = {"orderId": order_id}
        async for data in self.execute_ws(
            query=query, operation_name="FollowOrder", variables=variables, **kwargs
        ):
            yield FollowOrder.model_validate(data)

    async def feed(
        self,
        first: Union[Optional[int], UnsetType] = UNSET,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> Feed:
        query = gql("""
            query Feed($first: Int = 10, $after: String) {
              posts(first: $first, after: $after) {
                edges {
                  cursor
                  node {
                    id
                    title
                    tags
                    publishedAt
                    author {
                      id
                      username
                    }
                  }
                }
                pageInfo {
                  hasNextPage
                  endCursor
                }
              }
            }
            """)
        variables: dict[str, object] = {"first": first, "after": after}
        response = await self.execute(
            query=query, operation_name="Feed", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Feed.model_validate(data)

    async def new_posts(self, **kwargs: Any) -> AsyncIterator[NewPosts]:
        query = gql("""
            subscription NewPosts {
              postPublished {
                id
                title
                author {
                  username
                }
              }
            }
            """)
        variables: dict[str, object] = {}
        async for data in self.execute_ws(
            query=query, operation_name="NewPosts", variables=variables, **kwargs
        ):
            yield NewPosts.model_validate(data)

    async def user_page(
        self, id: str, posts: Union[Optional[int], UnsetType] = UNSET, **kwargs: Any
    ) -> UserPage:
        query = gql("""
            query UserPage($id: ID!, $posts: Int = 5) {
              user(id: $id) {
                id
                username
                createdAt
                email
                credits
                posts(first: $posts) {
                  totalCount
                  edges {
                    node {
                      id
                      title
                      publishedAt
                    }
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "posts": posts}
        response = await self.execute(
            query=query, operation_name="UserPage", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UserPage.model_validate(data)

    async def me(self, **kwargs: Any) -> Me:
        query = gql("""
            query Me {
              me {
                id
                username
                email
                credits
                orders(first: 5) {
                  edges {
                    node {
                      id
                      status
                      total
                    }
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {}
        response = await self.execute(
            query=query, operation_name="Me", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Me.model_validate(data)
