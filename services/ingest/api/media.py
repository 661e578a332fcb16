"""Image uploads for lead images, and the check of an article's `lead_image.media_id`."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from services.ingest.api.deps import BaseUrl, Media, MediaSlots
from services.ingest.auth import require_token
from services.ingest.schemas import errors
from shared.article import ArticleIn
from shared.media_images import MediaRejectedError
from shared.media_library import MediaLibrary

router = APIRouter(prefix="/api", tags=["media"])
# Uploads decoded at once per worker: a big image takes hundreds of MB while it is worked on.
DECODING_AT_ONCE = 2


class MediaOut(BaseModel):
    """A stored upload: its id (for `lead_image.media_id`), its largest variant's URL (public
    once an article using it is live) and its size in pixels."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f0c9d0e6b7a4c55a1d2e8f9b0c1d2e3",
                    "url": "https://news.example.kz/media/3f/3f0c9d0e6b7a4c55a1d2e8f9b0c1d2e3/1600.jpg",
                    "width": 4000,
                    "height": 2667,
                }
            ]
        }
    )

    id: str
    url: str
    width: int = Field(description="Width of the image, upright, in pixels.")
    height: int = Field(description="Height of the image, upright, in pixels.")


@router.post(
    "/media",
    status_code=201,
    dependencies=[Depends(require_token)],
    responses=errors(401, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("image/jpeg", "image/png", "image/webp")
            },
        }
    },
)
async def post_media(
    request: Request, library: Media, slots: MediaSlots, base_url: BaseUrl
) -> MediaOut:
    """Upload a JPEG, PNG or WebP image as the raw body (`Content-Type: image/…`).

    The type is read from the bytes; images over `NEWSROOM_MEDIA_MAX_BYTES` or
    `NEWSROOM_MEDIA_MAX_PIXELS` are refused (413), truncated or corrupt ones too (422). The
    original and its variants (480, 960 and 1600 px wide at most, never upscaled, as WebP and
    in the original's format) are on disk before the answer. Use the `id` as an article's
    `lead_image.media_id`: the variants are published with the first live article using it.
    """
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not media_type.startswith("image/"):
        raise HTTPException(415, "send the image as its raw bytes with an image/* content type")
    data = await request.body()
    try:
        async with slots:
            info = await run_in_threadpool(library.save, data)
    except MediaRejectedError as e:
        raise HTTPException(e.status, e.reason) from None
    url = base_url + info.largest
    return MediaOut(id=info.id, url=url, width=info.width, height=info.height)


def with_media(article: ArticleIn, library: MediaLibrary) -> ArticleIn:
    """`article` with its uploaded lead image's size filled in; 422 for an unknown media id."""
    image = article.lead_image
    if image is None or image.media_id is None:
        return article
    info = library.info(image.media_id)
    if info is None:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "lead_image", "media_id"),
                    "msg": "no uploaded image has this id",
                    "type": "unknown_media",
                }
            ]
        )
    sized = image.model_copy(update={"width": info.width, "height": info.height})
    return article.model_copy(update={"lead_image": sized})
