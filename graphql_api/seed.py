"""Demo data: a realistic, deterministic data set for the explorer and for demos.

Idempotent: every document has a natural key (username, sku, a seed key) and is
upserted, so running it again adds nothing and changes nothing; `reset=True`
empties the collections first. Everyone's password is DEMO_PASSWORD; the user
`admin` is an administrator.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo import MongoClient, UpdateOne
from pymongo.database import Database
from tqdm import tqdm

from graphql_api.auth.passwords import Passwords
from graphql_api.auth.tokens import hash_token
from graphql_api.models import REVENUE_STATUSES, OrderStatus
from graphql_api.models.money import to_decimal, to_decimal128
from graphql_api.models.user import username_key
from graphql_api.settings import Settings

DEMO_PASSWORD = "demo-password"  # noqa: S105 (documented demo credentials)
BATCH = 500
WORDS = (
    "mongodb",
    "graphql",
    "python",
    "async",
    "index",
    "cursor",
    "schema",
    "query",
    "mutation",
    "resolver",
    "batch",
    "loader",
    "replica",
    "shard",
    "transaction",
    "stream",
    "event",
    "token",
    "session",
    "cache",
    "latency",
)
# What each category sells: a product's name is an adjective and one of its category's items.
CATALOGUE = {
    "books": ("Novel", "Cookbook", "Field Guide", "Atlas", "Poetry Anthology"),
    "music": ("Vinyl Record", "Guitar Strings", "Headphones", "Songbook", "Metronome"),
    "games": ("Board Game", "Card Game", "Jigsaw Puzzle", "Chess Set", "Dice Set"),
    "garden": ("Trowel", "Watering Can", "Seed Kit", "Planter", "Pruning Shears"),
    "kitchen": ("Chef's Knife", "Skillet", "Teapot", "Cutting Board", "Mixing Bowl"),
    "office": ("Notebook", "Desk Lamp", "Stapler", "Fountain Pen", "Monitor Stand"),
    "sports": ("Yoga Mat", "Football", "Tennis Racket", "Water Bottle", "Jump Rope"),
    "toys": ("Building Blocks", "Kite", "Plush Bear", "Toy Train", "Spinning Top"),
}
CATEGORIES = tuple(CATALOGUE)
ADJECTIVES = ("Classic", "Deluxe", "Compact", "Handmade", "Vintage", "Recycled", "Travel", "Pro")
FIRST = ("ada", "alan", "grace", "linus", "guido", "barbara", "ken", "margaret", "edsger")


@dataclass(frozen=True)
class Size:
    users: int = 50
    posts_per_user: int = 8
    products: int = 100
    orders: int = 300


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _upsert(db: Database, collection: str, key: str, docs: list[dict], label: str) -> int:
    """Insert the documents missing by `key`; returns how many were new."""
    created = 0
    with tqdm(total=len(docs), desc=label, unit="doc", leave=True) as bar:
        for chunk in _chunks(docs, BATCH):
            result = db[collection].bulk_write(
                [UpdateOne({key: doc[key]}, {"$setOnInsert": doc}, upsert=True) for doc in chunk],
                ordered=False,
            )
            created += result.upserted_count
            bar.update(len(chunk))
    return created


def seed(url: str, settings: Settings, size: Size | None = None, *, reset: bool = False) -> dict:
    size = size or Size()
    rng = random.Random(2026)  # the same data every time
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365)
    with MongoClient(url, tz_aware=True) as client:
        db = client[settings.mongodb_database]
        if reset:
            for name in ("users", "posts", "products", "orders", "sessions", "credit_transfers"):
                db[name].delete_many({})
        password_hash = Passwords(settings).hash_sync(DEMO_PASSWORD)

        users = []
        for n in range(size.users):
            name = "admin" if n == 0 else f"{FIRST[n % len(FIRST)]}{n:03d}"
            created = start + timedelta(hours=n * 3)
            users.append(
                {
                    "_id": ObjectId(),
                    "username": name,
                    "username_key": username_key(name),
                    "email": f"{name}@example.com",
                    "password_hash": password_hash,
                    "roles": ["user", "admin"] if n == 0 else ["user"],
                    "is_active": n % 17 != 16,
                    "credits": rng.randrange(0, 500),
                    "created_at": created,
                    "updated_at": created,
                    "deactivated_at": None if n % 17 != 16 else created + timedelta(days=30),
                }
            )
        counts = {"users": _upsert(db, "users", "username", users, "users")}
        by_name = {u["username"]: u["_id"] for u in db.users.find({}, {"username": 1})}
        user_ids = [by_name[u["username"]] for u in users]

        posts = []
        for author_n, author in enumerate(user_ids):
            for n in range(size.posts_per_user):
                created = start + timedelta(hours=author_n * 3 + n * 40 + 1)
                published = rng.random() < 0.8
                title = " ".join(rng.sample(WORDS, 3)).capitalize()
                posts.append(
                    {
                        "seed_key": f"post-{author_n}-{n}",
                        "author_id": author,
                        "title": title,
                        "content": " ".join(rng.choices(WORDS, k=rng.randrange(40, 200))),
                        "tags": sorted(set(rng.sample(WORDS, rng.randrange(1, 4)))),
                        "published": published,
                        "published_at": created if published else None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
        counts["posts"] = _upsert(db, "posts", "seed_key", posts, "posts")

        products = []
        for n in range(size.products):
            category = CATEGORIES[n % len(CATEGORIES)]
            products.append(
                {
                    "sku": f"DEMO-{n:04d}",
                    "name": f"{rng.choice(ADJECTIVES)} {rng.choice(CATALOGUE[category])}",
                    "category": category,
                    "price": to_decimal128(Decimal(rng.randrange(199, 19999)) / 100),
                    "stock": rng.randrange(0, 200),
                    "created_at": start,
                    "updated_at": start,
                }
            )
        counts["products"] = _upsert(db, "products", "sku", products, "products")

        statuses = list(OrderStatus)
        orders = []
        for n in range(size.orders):
            lines = rng.sample(products, rng.randrange(1, 4))
            items = [
                {
                    "sku": p["sku"],
                    "name": p["name"],
                    "quantity": rng.randrange(1, 4),
                    "unit_price": p["price"],
                }
                for p in lines
            ]
            total = sum(
                (to_decimal(item["unit_price"]) * item["quantity"] for item in items),
                Decimal("0.00"),
            )
            created = start + timedelta(minutes=n * (365 * 24 * 60 // max(size.orders, 1)))
            orders.append(
                {
                    "seed_key": f"order-{n}",
                    "user_id": rng.choice(user_ids),
                    "items": items,
                    "total": to_decimal128(total),
                    "status": rng.choice(statuses).value,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        counts["orders"] = _upsert(db, "orders", "seed_key", orders, "orders")

        sessions = [
            {
                "token_hash": hash_token(f"demo-session-{n}"),
                "user_id": user_ids[n],
                "data": {"theme": rng.choice(["light", "dark"])},
                "user_agent": "seed",
                "address": None,
                "created_at": now,
                "updated_at": now,
                "expires_at": now + timedelta(seconds=settings.session_ttl_seconds),
            }
            for n in range(min(10, len(user_ids)))
        ]
        counts["sessions"] = _upsert(db, "sessions", "token_hash", sessions, "sessions")
        paid = sum(1 for o in orders if OrderStatus(o["status"]) in REVENUE_STATUSES)
    return counts | {"paid_orders": paid}
