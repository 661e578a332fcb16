"""The three Newsroom services: ingest → streams → render and feeds."""
