"""graphql_api: a GraphQL API over MongoDB (Beanie models, Strawberry schema, Starlette app)."""

__version__ = "0.1.0"
