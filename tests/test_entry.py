"""The app's one entry for POSTs of JSON to /graphql answers as the full stack does.

`graphql_api.http.entry` does what a dozen middleware layers did, in one function.
Every request here is sent twice: once to the app (the entry, checked to be taken
or not), once to Starlette's own stack of the same app (`Starlette.__call__`, the
layers as before), each from a fresh client address and with the budget's clock
stopped, so that both see the same budget. Status, headers (but a made request id)
and body must be the same.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware

from graphql_api.app import create_app
from graphql_api.http import entry as entry_module
from graphql_api.http.csrf import needs_no_preflight
from graphql_api.http.entry import GraphQLApp, _Plan
from graphql_api.limits import RefuseClientsInDebt, client_key
from graphql_api.limits.controls import cost_controls
from tests.conftest import make_settings
from tests.factories import create_post, sign_up

PAGE = "query Page($n: Int!) { posts(first: $n) { edges { node { title content } } } }"
APP_ORIGIN = "https://app.example.com"
_addresses = iter(range(1, 60000))


def full_stack(app: Starlette) -> Callable:
    """The same app without the entry: Starlette's middleware stack and router."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await Starlette.__call__(app, scope, receive, send)

    return asgi


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the requests the entry took."""
    calls: list[int] = []
    original = _Plan.__call__

    async def counted(self: Any, *args: Any) -> None:
        calls.append(1)
        await original(self, *args)

    monkeypatch.setattr(_Plan, "__call__", counted)
    return calls


@pytest.fixture
def frozen(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The budget's clock stopped: two fresh addresses see the same budget."""
    buckets = cost_controls(app.state.database, app.state.settings).buckets
    monkeypatch.setattr(buckets, "clock", lambda: 1_000_000.0)
    monkeypatch.setattr(RefuseClientsInDebt, "TARPIT_S", 0.0)
    return buckets


def _address() -> str:
    n = next(_addresses)
    return f"10.77.{n // 250}.{n % 250 + 1}"


async def _send(
    asgi: Any, method: str, headers: dict, content: Any, address: str | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(
        app=asgi, client=(address or _address(), 4000), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        request = http.build_request(method, "/graphql", headers=headers, content=content)
        names = [item[0] if isinstance(item, tuple) else item for item in headers]
        if "accept-encoding" not in {name.lower() for name in names}:
            del request.headers["accept-encoding"]  # httpx's default, unless asked
        return await http.send(request)


async def both(
    app: Starlette,
    taken: list[int],
    *,
    headers: dict | list | Callable[[], dict] | None = None,
    body: Any = None,
    content: Any = None,
    method: str = "POST",
    through_entry: bool = True,
    address: Callable[[], str] = _address,
) -> tuple[httpx.Response, httpx.Response]:
    """The same request through the entry and through the full stack; asserts the
    entry was (or was not) taken, and that both answered alike."""
    headers = headers if headers is not None else {"content-type": "application/json"}
    if body is not None:
        content = orjson.dumps(body)

    def fresh(value: Any) -> Any:  # per request: a user's own budget, a new stream
        return value() if callable(value) else value

    mark = len(taken)
    fast = await _send(app, method, fresh(headers), fresh(content), address())
    assert len(taken) - mark == (1 if through_entry else 0)
    slow = await _send(full_stack(app), method, fresh(headers), fresh(content), address())
    assert len(taken) - mark == (1 if through_entry else 0)
    assert_same(fast, slow)
    return fast, slow


def _headers(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    return [
        (name, b"<made>" if name == b"x-request-id" else value)
        for name, value in response.headers.raw
    ]


def assert_same(fast: httpx.Response, slow: httpx.Response) -> None:
    assert fast.status_code == slow.status_code, (fast.text, slow.text)
    assert _headers(fast) == _headers(slow)
    assert fast.content == slow.content
    given = fast.request.headers.get("x-request-id")
    if len(fast.request.headers.get_list("x-request-id")) > 1:
        pass  # which one counts is the stack's to say: compared above
    elif given is not None and re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", given):
        assert fast.headers["x-request-id"] == slow.headers["x-request-id"] == given
    elif fast.status_code != 500:  # the stack's 500 goes out without one
        for response in (fast, slow):
            assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


JSON = {"content-type": "application/json"}


async def _planned(gql: Any, app: Starlette, taken: list[int], posts: int = 3) -> None:
    """Posts to read, and the page's document known to the plan (served once)."""
    alice = await sign_up(gql, "alice")
    for n in range(posts):
        await create_post(gql, alice, title=f"Post {n} " + "x" * 40, published=True)
    await both(app, taken, body={"query": PAGE, "variables": {"n": 2}})


async def test_the_entry_serves_the_app_as_built(app: Starlette) -> None:
    assert isinstance(app, GraphQLApp)
    assert isinstance(_Plan.of(app, app.state.settings.compression_min_bytes), _Plan)


async def test_planned_reads_anonymous_and_signed_in(app, gql, db, taken, frozen) -> None:
    await _planned(gql, app, taken)
    body = {"query": PAGE, "variables": {"n": 3}, "operationName": "Page"}
    fast, _ = await both(app, taken, body=body)
    assert len(fast.json()["data"]["posts"]["edges"]) == 3
    users = iter([await sign_up(gql, "bob"), await sign_up(gql, "carol")])  # budgets alike

    def signed_in() -> dict:
        return {**JSON, "authorization": f"Bearer {next(users)['token']}"}

    fast, _ = await both(app, taken, headers=signed_in, body=body)
    assert "throttleStatus" in fast.json()["extensions"]["cost"]
    # Another media type asked for, a body the direct answer leaves to Strawberry.
    await both(app, taken, headers={**JSON, "accept": "application/graphql-response+json"},
               body=body)  # fmt: skip
    # The Accept the direct answer negotiates with: one it cannot meet, one with weights,
    # and two of them (then the full stack answers: which counts is not the entry's call).
    await both(app, taken, headers={**JSON, "accept": "text/html"}, body=body)
    await both(app, taken, headers={**JSON, "accept": "application/json;q=0.5, */*;q=0.1"},
               body=body)  # fmt: skip
    two = [("content-type", "application/json"), ("accept", "text/html"),
           ("accept", "application/json")]  # fmt: skip
    await both(app, taken, headers=two, body=body, through_entry=False)
    await both(app, taken, body={**body, "extensions": {}})
    await both(app, taken, body={"query": "{ __typename }"})


async def test_request_ids_given_and_not(app, gql, db, taken, frozen) -> None:
    body = {"query": "{ __typename }"}
    for given in ("abc-123", "trace:1.2_3", "not valid!", "x" * 129, ""):
        fast, slow = await both(app, taken, headers={**JSON, "x-request-id": given}, body=body)
    fast, slow = await both(app, taken, body=body)
    assert fast.headers["x-request-id"] != slow.headers["x-request-id"]


async def test_compression_for_clients_that_accept_it(app, gql, db, taken, frozen) -> None:
    await _planned(gql, app, taken, posts=30)
    big = {"query": PAGE, "variables": {"n": 30}}
    small = {"query": PAGE, "variables": {"n": 1}}
    for encoding in ("gzip", "br", "zstd", "gzip, br;q=0.5", "identity", "*", "gzip;q=0"):
        for body in (big, small):
            fast, _ = await both(app, taken, headers={**JSON, "accept-encoding": encoding},
                                 body=body)  # fmt: skip
    fast, _ = await both(app, taken, headers={**JSON, "accept-encoding": "gzip"}, body=big)
    assert fast.headers["content-encoding"] == "gzip"
    assert fast.json()["data"]  # httpx decompressed it
    assert len(fast.content) >= app.state.settings.compression_min_bytes


async def test_anonymous_clients_in_debt(app, gql, db, taken, frozen) -> None:
    await both(app, taken, body={"query": "{ __typename }"})  # the controls exist now
    debtors = [_address() for _ in range(2)]
    for address in debtors:
        frozen.debit(client_key(None, address), frozen.capacity + 500)
    queue = iter(debtors)
    fast, _ = await both(app, taken, body={"query": "{ __typename }"},
                         address=lambda: next(queue))  # fmt: skip
    assert fast.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert fast.headers["retry-after"]


async def test_bodies_over_the_limit(app, gql, db, taken, frozen) -> None:
    limit = app.state.settings.max_body_bytes
    big = b'{"query": "' + b" " * limit + b'{ __typename }"}'
    fast, _ = await both(app, taken, content=big)
    assert fast.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no declared length: streamed
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    fast, _ = await both(app, taken, content=chunks)
    assert fast.status_code == 413
    fast, _ = await both(app, taken, headers={**JSON, "content-length": "12x"}, content=b"{}")
    assert fast.status_code == 413


async def test_what_the_entry_leaves_to_the_stack(app, gql, db, taken, frozen) -> None:
    body = orjson.dumps({"query": "{ __typename }"})
    # CSRF: simple content types are refused (by the stack: not JSON).
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        fast, _ = await both(app, taken, headers={"content-type": content_type}, content=body,
                             through_entry=False)  # fmt: skip
        assert fast.status_code in (400, 415)
    await both(app, taken, headers={}, content=body, through_entry=False)
    # A header twice; another method; the JSON type with parameters is the entry's.
    await both(app, taken, headers=[("content-type", "application/json"),
                                    ("x-request-id", "a"), ("x-request-id", "b")],
               content=body, through_entry=False)  # fmt: skip
    await both(app, taken, method="GET", headers={}, through_entry=False)
    await both(app, taken, method="PUT", headers=JSON, content=body, through_entry=False)
    await both(app, taken, headers={"content-type": "application/json; charset=utf-8"},
               content=body)  # fmt: skip
    # Malformed bodies are the view's to refuse, the same either way.
    for bad in (b"", b"{", b"[]", b"null", b'{"query": 1}', b"\xff"):
        await both(app, taken, content=bad)


def test_json_posts_never_need_a_preflight() -> None:
    """Why the entry has no CSRF check: the rule never refuses a JSON POST."""
    from starlette.datastructures import Headers

    for extra in ([], [(b"cookie", b"a=b")], [(b"authorization", b"Basic eA==")]):
        headers = Headers(raw=[(b"content-type", b"application/json"), *extra])
        assert not needs_no_preflight("POST", b"", headers)
        headers = Headers(raw=[(b"content-type", b"Application/JSON; charset=utf-8"), *extra])
        assert not needs_no_preflight("POST", b"", headers)


async def test_cors_origins(mongodb_url: str, taken: list[int]) -> None:
    """Allowed and other origins, preflights (the stack's), with and without credentials."""
    body = {"query": "{ __typename }"}
    for overrides in (
        {"allowed_origins": APP_ORIGIN},
        {"allowed_origins": APP_ORIGIN, "cors_allow_credentials": True},
        {"allowed_origins": "*"},
        {},
    ):
        app = create_app(make_settings(mongodb_url, **overrides))
        for origin in (APP_ORIGIN, "https://evil.example.com"):
            for extra in ({}, {"cookie": "a=b"}):
                await both(app, taken, headers={**JSON, "origin": origin, **extra}, body=body)
            preflight = {
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, authorization",
            }
            await both(app, taken, method="OPTIONS", headers=preflight, through_entry=False)


async def test_settings_the_entry_follows(mongodb_url: str, taken: list[int]) -> None:
    """No compression layer, no CSRF layer: the entry still matches the stack."""
    for overrides in ({"compression_min_bytes": 0}, {"csrf_prevention": False}):
        app = create_app(make_settings(mongodb_url, **overrides))
        await both(app, taken, headers={**JSON, "accept-encoding": "gzip"},
                   body={"query": "{ __typename }"})  # fmt: skip
        await both(app, taken, headers={"content-type": "text/plain"},
                   content=b'{"query": "{ __typename }"}', through_entry=False)  # fmt: skip


async def test_a_stack_it_does_not_know_turns_it_off(mongodb_url: str, taken: list[int]) -> None:
    app = create_app(make_settings(mongodb_url))

    class Extra:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.app(scope, receive, send)

    app.user_middleware.insert(0, Middleware(Extra))
    await both(app, taken, body={"query": "{ __typename }"}, through_entry=False)
    assert app._plan is False


async def test_a_failure_is_the_stacks_500(mongodb_url, taken, monkeypatch) -> None:
    app = create_app(make_settings(mongodb_url))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(entry_module.RefuseClientsInDebt, "refusal_for", broken)
    fast, _ = await both(app, taken, body={"query": "{ __typename }"})
    assert fast.status_code == 500
    assert fast.text == "Internal Server Error"
