"""GraphiQL works air-gapped: a real browser opens it, runs a query, sees the result,
and nothing is requested from anywhere but the server itself."""

import shutil
from urllib.parse import urlparse

import httpx
import pytest

from tests.servers import clean_env, serve, status, wait_for

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


def test_graphiql_runs_a_query_offline(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        requested: list[str] = []
        violations: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        # Anything not for this server is refused, as on an air-gapped machine.
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
