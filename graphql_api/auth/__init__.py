"""Authentication (passwords, bearer tokens, sessions, login throttling) and the
authorization rules, which all live in `graphql_api.auth.rules`."""
