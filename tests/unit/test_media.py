"""Uploads in the media folder: widths, lead image sources, orientation, metadata."""

import io

import pytest
from PIL import Image
from pydantic import ValidationError

from shared.article import LeadImage
from shared.media import variant_widths
from shared.media_library import MediaLibrary
from tests.support.images import picture


@pytest.mark.parametrize(
    ("width", "widths"),
    [(4000, [480, 960, 1600]), (1600, [480, 960, 1600]), (1000, [480, 960, 1000]), (300, [300])],
)
def test_variants_are_never_wider_than_the_image(width, widths):
    assert variant_widths(width) == widths


@pytest.mark.parametrize(
    "fields", [{}, {"url": "/a.jpg", "media_id": "a" * 32}, {"media_id": "A" * 32}]
)
def test_a_lead_image_needs_exactly_one_valid_source(fields):
    with pytest.raises(ValidationError):
        LeadImage.model_validate(fields)


def test_an_uploaded_lead_image_is_listed_by_its_webp_variant():
    image = LeadImage(media_id="ab" * 16, width=700, height=400)
    assert image.src == f"/media/ab/{'ab' * 16}/700.webp"
    assert LeadImage(url="/a.jpg").src == "/a.jpg"


def test_variants_are_upright_and_carry_no_metadata(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turned 90° clockwise
    exif[0x010F] = "Camera maker"
    out = io.BytesIO()
    Image.open(io.BytesIO(picture(600, 400, "JPEG"))).save(out, "JPEG", exif=exif)
    library = MediaLibrary(tmp_path)

    info = library.save(out.getvalue())

    assert (info.width, info.height) == (400, 600)
    for name in info.files:
        with Image.open(library.folder(info.id) / name) as variant:
            assert variant.height > variant.width
            assert not variant.getexif()
    assert library.info(info.id) == info
    assert library.info("../" + info.id) is None
