"""Per-example losses and penalties shared by the model families."""
