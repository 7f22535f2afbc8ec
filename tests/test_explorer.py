"""GraphiQL works air-gapped: a real browser opens it, runs a query and a subscription
(signed in through the Headers tab), sees the results, and nothing is requested from
anywhere but the server itself; nothing it asks for is missing (the favicon included)."""

import shutil
from urllib.parse import urlparse

import httpx
import pytest

from tests.servers import clean_env, graphql, serve, status, wait_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium (Debian package `chromium`; .ci/run installs it)"
)
# As the Debian image needs it: no sandbox as root, and no calls home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorer")
    env = clean_env(EMBEDDED_DATA_DIR=str(folder / "data"), MONGODB_DATABASE="explorer")
    with serve(env, folder) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        yield base


def test_the_page_has_a_strict_content_security_policy(server):
    page = httpx.get(f"{server}/graphql", headers={"accept": "text/html"}, timeout=10)
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert "<script>" not in page.text  # no inline script
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js", "init.js"):
        assert httpx.get(f"{server}/graphiql/{asset}", timeout=10).status_code == 200
    # WebSockets to this very host are allowed, also by browsers where 'self' is http(s) only.
    host = urlparse(server).netloc
    assert f"connect-src 'self' ws://{host} wss://{host};" in policy
    icon = httpx.get(f"{server}/favicon.ico", timeout=10)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"


def test_a_forged_host_cannot_widen_the_policy(server):
    for host in ("evil.example; script-src *", "a b", "x'y"):
        page = httpx.get(f"{server}/graphql", headers={"accept": "text/html", "host": host})
        policy = page.headers["content-security-policy"]
        assert "connect-src 'self';" in policy and policy.count("script-src") == 1


def open_explorer(playwright, server: str):
    """The explorer in a browser that can reach nothing but the server."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    page = browser.new_page()
    page.requested = []  # type: ignore[attr-defined]
    page.failed = []  # type: ignore[attr-defined]
    page.violations = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested.append(request.url))
    page.on(
        "response",
        lambda response: (
            page.failed.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            page.violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlparse(route.request.url).hostname == "127.0.0.1"
            else route.abort()
        ),
    )
    page.goto(f"{server}/graphql", wait_until="networkidle")
    page.wait_for_selector(".graphiql-container", timeout=30_000)
    return browser, page


def set_editor(page, selector: str, text: str) -> None:
    page.evaluate(
        "([selector, text]) => document.querySelector(selector).CodeMirror.setValue(text)",
        [selector, text],
    )


def test_graphiql_runs_a_subscription_signed_in_through_the_headers_tab(server):
    from playwright.sync_api import sync_playwright

    token = graphql(
        server,
        'mutation { signUp(input: {username: "writer", email: "writer@example.com", '
        'password: "a long passphrase"}) { token } }',
    )["data"]["signUp"]["token"]
    with sync_playwright() as playwright:
        browser, page = open_explorer(playwright, server)
        page.get_by_role("button", name="Headers").click()
        set_editor(
            page,
            ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror",
            f'{{"Authorization": "Bearer {token}"}}',
        )
        # The author's email is shown to the author only: it proves the WebSocket signed in.
        set_editor(
            page,
            ".graphiql-query-editor .CodeMirror",
            "subscription { postPublished { title author { username email } } }",
        )
        page.wait_for_timeout(1_000)  # GraphiQL parses the edited document (debounced)
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".result-window")
        for attempt in range(15):  # until the subscription is live and sees a post
            graphql(
                server,
                "mutation($t: String!) { createPost(input: "
                '{title: $t, content: "Hello", published: true}) { id } }',
                {"t": f"Live {attempt}"},
                token=token,
            )
            try:
                result.filter(has_text="Live").wait_for(timeout=2_000)
                break
            except Exception:  # not yet subscribed: publish another
                continue
        text = result.inner_text()
        browser.close()
    assert '"title": "Live' in text
    assert '"email": "writer@example.com"' in text
    assert [url for url in page.requested if urlparse(url).hostname != "127.0.0.1"] == []
    assert page.violations == []
    assert page.failed == []


def test_graphiql_runs_a_query_offline(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page = open_explorer(playwright, server)
        requested = page.requested
        violations = page.violations
        editor = page.locator(".graphiql-query-editor .CodeMirror").first
        editor.click()
        page.evaluate(
            "document.querySelector('.graphiql-query-editor .CodeMirror')"
            ".CodeMirror.setValue('{ __typename products(first: 1) { totalCount } }')"
        )
        page.locator(".graphiql-execute-button").click()
        page.locator(".result-window", has_text="totalCount").wait_for(timeout=30_000)
        result = page.locator(".result-window").inner_text()
        browser.close()
    assert '"__typename": "Query"' in result
    assert '"totalCount": 0' in result
    assert requested, "the browser made no request at all"
    outside = [url for url in requested if urlparse(url).hostname != "127.0.0.1"]
    assert outside == []
    assert violations == []
    assert page.failed == []  # no 404 (the favicon) or other failed request
