"""An operator points NEWSROOM_THEME_DIR at their own theme folder."""

import shutil

from shared.pages.theme_folder import DEFAULT_THEME
from shared.settings import Settings
from tests.support.site import EventPump, new_article, open_store, renderer_for


async def test_pages_and_static_files_come_from_the_configured_theme(
    redis_url, tmp_path, monkeypatch
):
    # The operator copies the theme and changes its masthead tagline and stylesheet.
    theme = tmp_path / "my-theme"
    shutil.copytree(DEFAULT_THEME, theme)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("Новости Казахстана и мира", "Городская газета"))
    (theme / "static" / "site.css").write_text("body { color: #000; }\n")
    monkeypatch.setenv("NEWSROOM_THEME_DIR", str(theme))

    # The render service, configured from the environment, publishes an article.
    settings = Settings(REDIS_URL=redis_url, public_dir=tmp_path / "public")
    assert settings.theme_dir == theme
    store = open_store(redis_url)
    renderer = await renderer_for(store, settings)
    await store.save("t-1", new_article(1))
    await EventPump(store, renderer)()

    article = (await store.get("t-1")).url
    html = (settings.public_dir / article.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert "Городская газета" in html and "Новости Казахстана и мира" not in html
    assert (settings.public_dir / "static" / "site.css").read_text() == "body { color: #000; }\n"
    await store.redis.aclose()
