"""Demo content: Russian-language articles kept in the repository, loaded through the API."""

import json
import shutil
from pathlib import Path

import httpx

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def demo_articles(path: Path = DEMO_DIR / "articles.jsonl") -> list[dict[str, object]]:
    """The demo articles, one dict each, with their ids."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def copy_demo_images(public_dir: Path) -> None:
    """Copy the demo articles' images into the public folder (they are not rendered)."""
    shutil.copytree(DEMO_DIR / "static", public_dir / "static", dirs_exist_ok=True)


def load_demo(api_url: str, token: str, public_dir: Path) -> int:
    """PUT every demo article and copy its images; returns how many were created."""
    copy_demo_images(public_dir)
    created = 0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=30) as client:
        for article in demo_articles():
            article_id = article.pop("id")
            response = client.put(f"/api/articles/{article_id}", json=article)
            response.raise_for_status()
            created += response.status_code == 201
    return created
