"""A generated archive for `newsroom import`: valid articles with bad lines mixed in."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECTIONS = ("Общество", "Экономика", "Город", "Спорт", "Культура")

# Kinds of bad line, each with a word its reported reason must contain.
BAD_LINES: tuple[tuple[str, str], ...] = (
    ('{"id": "broken", "title": ', "malformed JSON"),
    ('["not", "an", "object"]', "not a JSON object"),
    (
        '{"id": "bad id!", "title": "Т", "author": "А", "section": "С", '
        '"published_at": "2026-01-01T00:00:00Z", "body_html": "x"}',
        "id",
    ),
    (
        '{"id": "no-title", "author": "А", "section": "С", '
        '"published_at": "2026-01-01T00:00:00Z", "body_html": "x"}',
        "title",
    ),
    (
        '{"id": "naive-date", "title": "Т", "author": "А", "section": "С", '
        '"published_at": "2026-01-01T00:00:00", "body_html": "x"}',
        "published_at",
    ),
    (
        # The slug of the archive's first article (imported before any bad line).
        '{"id": "slug-thief", "title": "Т", "author": "А", "section": "С", '
        '"published_at": "2026-01-01T00:00:00Z", "body_html": "x", '
        '"slug": "arkhivnaya-novost-arch-nomer-1"}',
        "belongs to another article",
    ),
)


@dataclass(frozen=True)
class Archive:
    """Where the file is, which ids are valid, and which lines are bad (number → reason word)."""

    path: Path
    valid_ids: list[str]
    bad_lines: dict[int, str]


def article(
    n: int, prefix: str = "arch", start: datetime = START, step: timedelta = HOUR
) -> dict[str, object]:
    """A valid archive line: an article with a unique id and title, the `n`th `step` after
    `start`."""
    return {
        "id": f"{prefix}-{n:05d}",
        "title": f"Архивная новость {prefix} номер {n}",
        "author": f"Автор {n % 37}",
        "section": SECTIONS[n % len(SECTIONS)],
        "tags": [f"тема {n % 11}"],
        "published_at": (start + step * n).isoformat(),
        "summary": "Краткое содержание архивной новости.",
        "body_html": f"<p>Текст новости {n}.</p><script>alert(1)</script>",
    }


def write_archive(
    path: Path,
    valid: int,
    bad: int,
    prefix: str = "arch",
    *,
    start: datetime = START,
    step: timedelta = HOUR,
) -> Archive:
    """`valid` good lines with `bad` bad ones spread evenly among them, dated `step` apart
    from `start` on."""
    every = (valid + bad) // bad if bad else 0
    lines, ids, bad_lines = [], [], {}
    n = 0
    while len(lines) < valid + bad:
        number = len(lines) + 1
        if bad and number % every == 0 and len(bad_lines) < bad:
            text, word = BAD_LINES[len(bad_lines) % len(BAD_LINES)]
            bad_lines[number] = word
            lines.append(text)
        else:
            n += 1
            lines.append(json.dumps(article(n, prefix, start, step), ensure_ascii=False))
            ids.append(f"{prefix}-{n:05d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Archive(path, ids, bad_lines)
