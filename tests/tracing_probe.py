"""Run by tests/test_tracing.py in a process of its own: two operations on an app with
OTEL_ENABLED, spans caught in memory, printed as one JSON line."""

import asyncio
import sys

import httpx
import orjson
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from graphql_api.app import create_app
from graphql_api.settings import Settings

SIGN_UP = (
    'mutation SignUp { signUp(input: {username: "traced", email: "t@example.com", '
    'password: "hunter2 hunter2"}) { token } }'
)
CATALOGUE = "query Catalogue { products(first: 2) { totalCount } }"


async def main(url: str, database: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # the app keeps a provider it finds
    settings = Settings(
        _env_file=None,
        mongodb_url=url,
        mongodb_database=database,
        otel_enabled=True,
        argon2_time_cost=1,
        argon2_memory_cost_kib=1024,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await app.state.database.wait_ready(60)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for query in (SIGN_UP, CATALOGUE):
                response = await http.post("/graphql", json={"query": query})
                assert "errors" not in response.json(), response.text
        await app.state.database.client.drop_database(database)
    spans = [
        {
            "name": span.name,
            "trace": format(span.context.trace_id, "032x"),
            "attributes": dict(span.attributes or {}),
        }
        for span in exporter.get_finished_spans()
    ]
    print(orjson.dumps(spans, default=str).decode())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
