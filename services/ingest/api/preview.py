"""Previews: an editor's signed link to an article as the site's theme shows it, whatever its
status. The page is built on request (shared.pages), never written to the public folder, and
kept out of search engines and caches."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict

from services.ingest.api.deps import AppSettings, BaseUrl, PathId, Previews, Store, Theme
from services.ingest.auth import require_token
from services.ingest.schemas import errors
from shared.pages.site_pages import Pages

router = APIRouter(tags=["previews"])


class PreviewOut(BaseModel):
    """A preview link."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"url": "https://news.example.kz/preview/kz-1?exp=1790000000&sig=9f2c…"}]
        }
    )
    url: str


PREVIEW_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-store"}


@router.post(
    "/api/articles/{article_id}/preview",
    dependencies=[Depends(require_token)],
    responses=errors(401, 404, 422),
)
async def create_preview(
    article_id: PathId, store: Store, links: Previews, base_url: BaseUrl
) -> PreviewOut:
    """A link showing the article (draft, scheduled or unpublished) with the site's theme,
    valid for an hour: `{"url": …}` on the site's address."""
    if not links.enabled:
        raise HTTPException(404, "previews are off: set NEWSROOM_PREVIEW_SECRET")
    if await store.get(article_id) is None:
        raise HTTPException(404, f"no article {article_id}")
    return PreviewOut(url=base_url + links.path(article_id))


@router.get("/preview/{article_id}", include_in_schema=False, response_class=HTMLResponse)
async def show_preview(
    article_id: str,
    store: Store,
    links: Previews,
    settings: AppSettings,
    theme: Theme,
    exp: Annotated[str, Query(max_length=20)] = "",
    sig: Annotated[str, Query(max_length=128)] = "",
) -> HTMLResponse:
    """The preview page; 404 unless the link is signed, unexpired and the article exists."""
    article = None
    if links.valid(article_id, exp, sig):
        article = await store.get(article_id)
    if article is None:
        raise HTTPException(404, "no such preview", headers=PREVIEW_HEADERS)
    pages = Pages(store, settings)
    await pages.load_menu()
    related = await pages.related([article])
    page = pages.article(article, related[article.id])
    assert page.template is not None
    template = theme.get_template(page.template)
    html = template.render(page.context | {"preview": True, "count_views": False})
    return HTMLResponse(html, headers=PREVIEW_HEADERS)
