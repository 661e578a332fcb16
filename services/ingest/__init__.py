"""HTTP API for editorial systems: validates, sanitizes, stores, and announces articles."""
