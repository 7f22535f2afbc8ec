"""Planned execution of read operations, beside graphql-core.

graphql-core's executor is generic: for every field of every object it makes
an info object, calls a resolver through Strawberry's wrapping, checks and
completes the value. For a read over stored documents nearly all of that is
known once the operation is known. So a query is planned once (`build`): per
selected field its response key, how its value is read from the stored
document (from the `@stored_type` declarations), its serialisation, its rule,
and the plan of what it selects; then each request only walks the documents
(`run`), loading relations through the same DataLoaders.

It serves only what it serves exactly: anything else, and any run that meets
an error, goes to graphql-core (`extension`). `PLANNED_EXECUTION=false` turns
it off. tests/test_planned_execution.py holds both to byte-identical responses.
"""

from graphql_api.execution.extension import Planner, planned_execution

__all__ = ["Planner", "planned_execution"]
