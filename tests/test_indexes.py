"""Indexes come from the model declarations and are built at startup."""

import logging

import pytest

from graphql_api.models import DOCUMENT_MODELS


@pytest.fixture
async def is_embedded(db) -> bool:
    return "secantusVersion" in await db.command("buildInfo")


async def test_every_declared_index_exists_unless_the_server_refuses_it(app, db):
    refused = set(app.state.database.capabilities.unsupported_indexes)
    for model in DOCUMENT_MODELS:
        name = model.get_collection_name()
        existing = await db[name].index_information()
        for index in model.Settings.indexes:
            index_name = index.document["name"]
            if f"{name}.{index_name}" in refused:
                continue
            assert index_name in existing, f"{name}.{index_name} missing"
            assert existing[index_name]["key"] == list(index.document["key"].items())


async def test_index_options(db):
    users = await db.users.index_information()
    assert users["username_unique"]["unique"] is True
    assert users["email_unique"]["unique"] is True
    assert users["email_active_users"]["partialFilterExpression"] == {"is_active": True}
    sessions = await db.sessions.index_information()
    assert sessions["expires_ttl"]["expireAfterSeconds"] == 0
    assert (await db.products.index_information())["sku_unique"]["unique"] is True


async def test_a_refused_text_index_is_logged_once_and_search_falls_back(app, is_embedded, caplog):
    database = app.state.database
    with caplog.at_level(logging.WARNING, logger="graphql_api.database"):
        await database.ensure_indexes()
    warnings = [r.getMessage() for r in caplog.records if r.name == "graphql_api.database"]
    if is_embedded:
        assert database.capabilities.text_search is False
        assert database.capabilities.unsupported_indexes == ["posts.posts_text"]
        assert len(warnings) == 1
        assert "posts_text" in warnings[0]
        assert "fallback" in warnings[0]
    else:
        assert database.capabilities.text_search is True
        assert warnings == []
