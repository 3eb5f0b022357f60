"""Event contracts, one module per publishing service. Importing this registers all of them."""

from shared.contracts import intake, registry, review

__all__ = ["intake", "registry", "review"]
