"""`newsroom import`'s progress: a bar with its rate on a terminal, plain lines elsewhere."""

import io
import re

from rich.console import Console

from newsroom import import_progress
from newsroom.import_progress import ImportProgress, rate


def test_on_a_terminal_a_bar_shows_the_count_and_the_rate():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    with ImportProgress(console, "a.jsonl", 3) as progress:
        for _ in range(3):
            progress.advance()
    assert progress.done == 3 and progress.seconds > 0
    assert re.search(r"importing a\.jsonl ━+ 3/3 [\d,]+ articles/s", out.getvalue())


def test_elsewhere_plain_lines_say_how_far_and_how_fast(monkeypatch):
    monkeypatch.setattr(import_progress, "PLAIN_EVERY_S", 0.0)  # a line per article, not per 5 s
    out = io.StringIO()
    with ImportProgress(Console(file=out, width=200), "a.jsonl", 2) as progress:
        progress.advance()
        progress.advance()
    lines = out.getvalue().splitlines()
    assert [re.sub(r"[\d,]+ articles/s", "R articles/s", line) for line in lines] == [
        "importing a.jsonl: 1 of 2 lines, R articles/s",
        "importing a.jsonl: 2 of 2 lines, R articles/s",
    ]
    assert "━" not in out.getvalue()


def test_the_rate_is_articles_per_second():
    assert rate(2500, 2.0) == "1,250 articles/s"
    assert rate(3, 0.0) == "3,000 articles/s"  # no division by zero on a very quick import
