"""Fair shares of the service: what an operation costs and who may spend it.

Pure budget machinery, no GraphQL-execution hooks (the Strawberry extension
that applies it is `graphql_api.extensions.cost_limit`):

- `cost`: an operation's price, read from its document before anything runs;
- `buckets`: per-client leaky-bucket budgets the price is charged to;
- `collection_sizes`: the collection sizes that price scan-shaped fields;
- `scan_gate`: bounded slots for scan-shaped database work, which budgets
  cannot bound when many clients search at once;
- `controls`: one set of the above per app and process;
- `debtors`: the ASGI middleware refusing anonymous clients in debt before
  their request is read.
"""

from graphql_api.limits.buckets import Buckets, Charge, client_key
from graphql_api.limits.collection_sizes import CollectionSizes
from graphql_api.limits.controls import SCAN_SHAPED, CostControls, cost_controls, scan_slot
from graphql_api.limits.cost import query_cost
from graphql_api.limits.debtors import RefuseClientsInDebt
from graphql_api.limits.scan_gate import ScanGate

__all__ = [
    "SCAN_SHAPED",
    "Buckets",
    "Charge",
    "CollectionSizes",
    "CostControls",
    "RefuseClientsInDebt",
    "ScanGate",
    "client_key",
    "cost_controls",
    "query_cost",
    "scan_slot",
]
