"""Realtime: MongoDB change streams fanned out to GraphQL subscriptions, multiplexed."""

from graphql_api.realtime.hub import ChangeFeed, Hub, SubscriberTooSlow
from graphql_api.realtime.multiplex import Multiplexer, changes

__all__ = ["ChangeFeed", "Hub", "Multiplexer", "SubscriberTooSlow", "changes"]
