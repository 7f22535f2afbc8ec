"""Configuration, read once from the environment (and an optional `.env` file).

Every setting has a default that works on a developer machine; production sets
`MONGODB_URL` and whatever it wants to tighten. The table in the README is the
user-facing version of this class.

The fields are grouped by concern in the modules of this package, one mixin per
group; `Settings` joins them, so the rest of the code sees one flat object and
each variable keeps its plain name (`MAX_PAGE_SIZE`, not a nested prefix).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from graphql_api.settings.accounts import AccountSettings
from graphql_api.settings.database import DatabaseSettings, DurabilitySettings, EmbeddedSettings
from graphql_api.settings.http import GraphQLSettings, HttpSettings, PersistedSettings
from graphql_api.settings.limits import QueryLimitSettings, RequestSettings
from graphql_api.settings.observability import ObservabilitySettings
from graphql_api.settings.realtime import RealtimeSettings

__all__ = ["Settings", "describe_errors", "get_settings"]


# pydantic lists the fields of the last base first: read the bases from the bottom
# up (the database first, observability last) for the order of the fields, and of the
# checks that join several of them.
class Settings(
    ObservabilitySettings,
    DurabilitySettings,
    AccountSettings,
    RealtimeSettings,
    RequestSettings,
    HttpSettings,
    QueryLimitSettings,
    PersistedSettings,
    GraphQLSettings,
    EmbeddedSettings,
    DatabaseSettings,
    BaseSettings,
):
    """Every setting of the process, one environment variable per field (upper case)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")


def describe_errors(error: ValidationError) -> str:
    """One line per bad setting, naming its variable; never its value (it may be a secret)."""
    lines = []
    for item in error.errors():
        variable = "_".join(str(part) for part in item["loc"]).upper() or "settings"
        lines.append(f"error: {variable}: {item['msg']}")
    return "\n".join(lines)


@lru_cache
def get_settings() -> Settings:
    """The process's settings; a bad one ends the process with one line naming it."""
    try:
        return Settings()
    except ValidationError as error:
        raise SystemExit(describe_errors(error)) from None
