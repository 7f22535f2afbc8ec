"""Domain operations on MongoDB, one module per domain.

They take and return plain values (documents as dicts), know nothing of
GraphQL, and raise `graphql_api.errors` for expected failures. Reads go to
PyMongo directly (no model validation on the hot path); writes are validated
through the Beanie models first.
"""
