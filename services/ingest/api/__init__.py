"""Routes of the ingest API; thin, they hand work to the store."""
