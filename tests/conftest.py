from tests.fixtures.apps import gql, portal, tokens
from tests.fixtures.mail import mail_server
from tests.fixtures.s3 import s3_endpoint
from tests.fixtures.servers import database_url, nats_server, postgres

__all__ = [
    "database_url",
    "gql",
    "mail_server",
    "nats_server",
    "portal",
    "postgres",
    "s3_endpoint",
    "tokens",
]
