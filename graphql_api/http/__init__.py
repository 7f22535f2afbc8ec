"""The HTTP edge of `/graphql`: media types, transport errors, CORS, CSRF, compression.

Each module is one concern and an ASGI layer or a helper of the GraphQL view;
none of them knows the schema.
"""
