"""Prometheus metrics, served on `/metrics`: what operators graph and alert on.

Operations by name, type and outcome, their latency and database round trips;
MongoDB commands and the connection pool; WebSockets, subscriptions and how
late change events reach subscribers.

Several processes (`--workers`, gunicorn): set `PROMETHEUS_MULTIPROC_DIR` to an
empty folder shared by the workers (emptied before each start), and each
worker's `/metrics` then answers for all of them (prometheus-client's
multiprocess mode). Without it, each process answers for itself.

The modules: `definitions` (the metric families), `operations` (GraphQL
operations, bounded names, round trips), `mongodb` (PyMongo's listeners),
`realtime` (WebSockets, change lag), `tally` (the hot path's samples as plain
numbers, passed on in bulk), `endpoint` (the exposition and its token).
"""

from graphql_api.metrics.definitions import (
    DB_COMMAND_SECONDS,
    DB_COMMANDS,
    HUB_LAG,
    OPERATION_ROUND_TRIPS,
    OPERATION_SECONDS,
    OPERATIONS,
    POOL_CHECKED_OUT,
    POOL_CHECKOUT_FAILURES,
    POOL_CONNECTIONS,
    SHARED_EXECUTIONS,
    SUBSCRIPTIONS,
    WEBSOCKETS,
)
from graphql_api.metrics.endpoint import exposition, metrics_endpoint
from graphql_api.metrics.mongodb import IGNORED_COMMANDS, CommandMetrics, PoolMetrics, listeners
from graphql_api.metrics.operations import (
    MAX_OPERATION_NAMES,
    count_round_trip,
    observe_operation,
    operation_label,
    start_counting_round_trips,
    stop_counting_round_trips,
)
from graphql_api.metrics.realtime import CountWebSockets, observe_change_lag
from graphql_api.metrics.tally import flush, flushing

__all__ = [
    "DB_COMMANDS",
    "DB_COMMAND_SECONDS",
    "HUB_LAG",
    "IGNORED_COMMANDS",
    "MAX_OPERATION_NAMES",
    "OPERATIONS",
    "OPERATION_ROUND_TRIPS",
    "OPERATION_SECONDS",
    "POOL_CHECKED_OUT",
    "POOL_CHECKOUT_FAILURES",
    "POOL_CONNECTIONS",
    "SHARED_EXECUTIONS",
    "SUBSCRIPTIONS",
    "WEBSOCKETS",
    "CommandMetrics",
    "CountWebSockets",
    "PoolMetrics",
    "count_round_trip",
    "exposition",
    "flush",
    "flushing",
    "listeners",
    "metrics_endpoint",
    "observe_change_lag",
    "observe_operation",
    "operation_label",
    "start_counting_round_trips",
    "stop_counting_round_trips",
]
