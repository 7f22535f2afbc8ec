"""The metric families, declared once: their names, help texts, labels and buckets.

What operators graph and alert on is read here in one place; the modules next to
this one only fill them in. Gauges of live things sum over the workers
(`livesum`) in multiprocess mode.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
ROUND_TRIP_BUCKETS = (0, 1, 2, 3, 4, 6, 8, 12, 20, 50, 100)
COMMAND_SECONDS_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)

OPERATIONS = Counter(
    "graphql_operations",
    "GraphQL operations, by operation name, type and outcome (OK or the first error's code).",
    ["operation", "type", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "graphql_operation_duration_seconds",
    "Time from receiving an operation to its result (subscriptions: their lifetime).",
    ["operation", "type"],
    buckets=SECONDS_BUCKETS,
)
OPERATION_ROUND_TRIPS = Histogram(
    "graphql_operation_db_round_trips",
    "MongoDB commands sent for one GraphQL query or mutation.",
    ["type"],
    buckets=ROUND_TRIP_BUCKETS,
)
DB_COMMANDS = Counter(
    "mongodb_commands", "MongoDB commands sent, by command and outcome.", ["command", "outcome"]
)
DB_COMMAND_SECONDS = Histogram(
    "mongodb_command_duration_seconds",
    "MongoDB command round-trip time, by command.",
    ["command"],
    buckets=COMMAND_SECONDS_BUCKETS,
)
POOL_CONNECTIONS = Gauge(
    "mongodb_pool_connections",
    "Open connections in the driver's pool, by server.",
    ["address"],
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "mongodb_pool_checked_out",
    "Pool connections in use by an operation, by server.",
    ["address"],
    multiprocess_mode="livesum",
)
POOL_CHECKOUT_FAILURES = Counter(
    "mongodb_pool_checkout_failures",
    "Operations that could not get a connection (pool timeout, server down...).",
    ["reason"],
)
WEBSOCKETS = Gauge(
    "graphql_websockets_active", "Open WebSocket connections.", multiprocess_mode="livesum"
)
SUBSCRIPTIONS = Gauge(
    "graphql_subscriptions_active", "Running subscriptions.", multiprocess_mode="livesum"
)
SHARED_EXECUTIONS = Gauge(
    "graphql_subscription_executions_active",
    "Executions the subscriptions share (one per operation, variables and visibility).",
    multiprocess_mode="livesum",
)
HUB_LAG = Histogram(
    "graphql_subscription_event_lag_seconds",
    "From a change's commit in MongoDB to its hand-over to the subscribers, by feed.",
    ["feed"],
    buckets=SECONDS_BUCKETS,
)

__all__ = [
    "COMMAND_SECONDS_BUCKETS",
    "DB_COMMANDS",
    "DB_COMMAND_SECONDS",
    "HUB_LAG",
    "OPERATIONS",
    "OPERATION_ROUND_TRIPS",
    "OPERATION_SECONDS",
    "POOL_CHECKED_OUT",
    "POOL_CHECKOUT_FAILURES",
    "POOL_CONNECTIONS",
    "ROUND_TRIP_BUCKETS",
    "SECONDS_BUCKETS",
    "SHARED_EXECUTIONS",
    "SUBSCRIPTIONS",
    "WEBSOCKETS",
]
