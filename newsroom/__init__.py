"""Operator tooling: the `newsroom` command, the local runner and its site server."""
