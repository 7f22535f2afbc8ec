"""The saved operations under examples/ work against seeded demo data, as the README shows."""

from pathlib import Path

from graphql import OperationDefinitionNode, parse, validate

from graphql_api.schema import schema
from graphql_api.seed import DEMO_PASSWORD, Size, seed

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def operations() -> dict[str, str]:
    """Each named operation of examples/*.graphql, as a document of its own."""
    found = {}
    for path in sorted(EXAMPLES.glob("*.graphql")):
        source = path.read_text()
        for definition in parse(source).definitions:
            assert isinstance(definition, OperationDefinitionNode)
            loc = definition.loc
            found[definition.name.value] = source[loc.start : loc.end]
    return found


def test_every_example_is_valid_against_the_schema():
    for path in EXAMPLES.glob("*.graphql"):
        assert not validate(schema._schema, parse(path.read_text())), path.name
    assert {"Feed", "UserPage", "Me", "Login", "Catalogue", "PlaceOrder"} <= set(operations())


async def test_the_screens_on_demo_data(gql, db, settings, mongodb_url):
    counts = seed(mongodb_url, settings, Size(users=5, posts_per_user=3, products=10, orders=5))
    assert counts["users"] == 5
    again = seed(mongodb_url, settings, Size(users=5, posts_per_user=3, products=10, orders=5))
    assert again["users"] == again["posts"] == again["orders"] == 0  # idempotent
    ops = operations()

    feed = (await gql.data(ops["Feed"], {"first": 3}))["posts"]
    assert len(feed["edges"]) == 3 and feed["pageInfo"]["hasNextPage"]
    more = await gql.data(ops["Feed"], {"first": 3, "after": feed["pageInfo"]["endCursor"]})
    assert more["posts"]["edges"][0]["cursor"] != feed["edges"][-1]["cursor"]

    login = (await gql.data(ops["Login"], {"username": "admin", "password": DEMO_PASSWORD}))[
        "login"
    ]
    me = gql.as_user(login["token"])
    page = (await me.data(ops["UserPage"], {"id": login["user"]["id"]}))["user"]
    assert page["username"] == "admin" and page["email"] == "admin@example.com"
    assert page["posts"]["totalCount"] >= 1

    catalogue = (await me.data(ops["Catalogue"], {"first": 5}))["products"]["edges"]
    sku = catalogue[0]["node"]["sku"]
    order = await me.data(ops["PlaceOrder"], {"items": [{"sku": sku, "quantity": 1}]})
    assert order["placeOrder"]["status"] == "PENDING"
    mine = (await me.data(ops["Me"]))["me"]
    assert order["placeOrder"]["id"] in [e["node"]["id"] for e in mine["orders"]["edges"]]
