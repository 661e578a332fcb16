"""Shared dependencies of the routes."""

from fastapi import Request

from shared.store import ArticleStore


def get_store(request: Request) -> ArticleStore:
    """The article store of this app."""
    return request.app.state.store
