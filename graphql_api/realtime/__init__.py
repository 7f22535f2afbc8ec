"""Realtime: MongoDB change streams fanned out to GraphQL subscriptions."""

from graphql_api.realtime.hub import ChangeFeed, Hub, SubscriberTooSlow

__all__ = ["ChangeFeed", "Hub", "SubscriberTooSlow"]
