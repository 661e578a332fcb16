"""Article bodies keep their formatting and lose anything executable."""

import pytest

from services.ingest.sanitize import sanitize_html

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="x:expression(alert(1))">x</p>',
    "<<script>script>alert(1)<</script>/script>",
    '<div><p onclick="alert(1)">unclosed <b>nesting</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", ATTACKS)
def test_nothing_executable_survives(payload):
    clean = sanitize_html(payload).lower()
    for marker in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<style",
        "data:",
        "<svg",
        "style=",
    ):
        assert marker not in clean


def test_formatting_links_and_alt_text_are_kept():
    html = (
        "<h2>Итоги</h2><p><strong>Жирный</strong> и <em>курсив</em></p>"
        "<blockquote>Цитата</blockquote><ul><li>пункт</li></ul>"
        '<a href="https://example.kz/x">ссылка</a><img src="https://example.kz/i.jpg" alt="Степь">'
    )
    clean = sanitize_html(html)
    for kept in (
        "<h2>Итоги</h2>",
        "<strong>Жирный</strong>",
        "<em>курсив</em>",
        "<blockquote>Цитата</blockquote>",
        "<li>пункт</li>",
        'alt="Степь"',
    ):
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean
