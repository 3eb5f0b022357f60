"""Event contracts, one module per publishing service. Importing this registers all of them."""

from shared.contracts import accounts, intake, registry, review

__all__ = ["accounts", "intake", "registry", "review"]
