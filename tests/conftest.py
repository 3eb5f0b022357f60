from tests.fixtures.apps import gql, portal, tokens
from tests.fixtures.servers import database_url, nats_server, postgres

__all__ = ["database_url", "gql", "nats_server", "portal", "postgres", "tokens"]
