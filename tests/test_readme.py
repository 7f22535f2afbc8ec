"""The README's first request works for a newcomer: anonymous, no error."""

import re
from pathlib import Path

import orjson

README = Path(__file__).resolve().parent.parent / "README.md"


async def test_the_first_curl_of_the_readme_needs_no_account(gql):
    body = re.search(r"-d '(\{\"query\": [^']*\})'", README.read_text()).group(1)
    answer = await gql.execute(orjson.loads(body)["query"])
    assert "errors" not in answer, answer
    assert answer["data"]
