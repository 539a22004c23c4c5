"""A small typed client of the JINGdigital Open Platform API (an example for jing-emulator)."""

from jing_client.client import BASE_URL, JingClient
from jing_client.models import (
    ApiError,
    Identity,
    ImportResult,
    QueryResult,
    StoredUser,
    UpsertResult,
    UserInput,
)

__all__ = [
    "BASE_URL",
    "ApiError",
    "Identity",
    "ImportResult",
    "JingClient",
    "QueryResult",
    "StoredUser",
    "UpsertResult",
    "UserInput",
]
