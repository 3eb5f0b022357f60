"""Review's service layer: one function per use case, owning its session's transaction."""
