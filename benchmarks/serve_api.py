"""graphql_api as shipped, plus routes that report its MongoDB command count and collect garbage."""

from benchmarks.common import COMMANDS_ROUTE, COUNTER, GC_ROUTE
from graphql_api.app import create_app


def app():
    application = create_app(event_listeners=[COUNTER])
    application.router.routes.extend([COMMANDS_ROUTE, GC_ROUTE])
    return application
