"""graphql_api as shipped, plus a route that reports its MongoDB command count."""

from benchmarks.common import COMMANDS_ROUTE, COUNTER
from graphql_api.app import create_app


def app():
    application = create_app(event_listeners=[COUNTER])
    application.router.routes.append(COMMANDS_ROUTE)
    return application
