"""Strawberry schema extensions: what wraps every operation, whatever its fields.

Abuse limits and cost (`cost_limit`, applying the budgets of
`graphql_api.limits`), failing fast while the database is down
(`availability`), error codes and masking (`errors`), the per-operation log
line (`request_log`), the operation's unit of work (`operation_scope`),
cached parsing (`parsing`), literal input errors coded as the client's
(`input_errors`) and hiding "did you mean" hints (`suggestions`). They sit beside the schema, not in
it: they may know the driver's errors, the schema's types may not.
"""
