"""`serve`'s rebuilds: only what an edit can reach."""
