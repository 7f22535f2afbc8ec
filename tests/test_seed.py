"""Demo data reads like a shop: whole product names that match their category."""

from pymongo import MongoClient

from graphql_api.seed import ADJECTIVES, CATALOGUE, Size, seed


def test_seeded_products_have_whole_names_of_their_category(db, settings, mongodb_url):
    seed(mongodb_url, settings, Size(users=2, posts_per_user=1, products=24, orders=2))
    with MongoClient(mongodb_url) as client:
        products = list(client[settings.mongodb_database]["products"].find())
    assert len(products) == 24
    assert {p["category"] for p in products} == set(CATALOGUE)
    for product in products:
        adjective, _, item = product["name"].partition(" ")
        assert adjective in ADJECTIVES, product
        assert item in CATALOGUE[product["category"]], product  # whole, and of its category
