"""Event contracts, one module per publishing service. Importing this registers all of them."""

from shared.contracts import registry

__all__ = ["registry"]
