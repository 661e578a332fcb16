"""Article bodies keep their formatting and lose anything executable."""

import pytest

from shared.markup.sanitize import sanitize_html
from tests.support.xss import CORPUS, executable_constructs


@pytest.mark.parametrize("payload", CORPUS)
def test_nothing_executable_survives(payload):
    assert executable_constructs(sanitize_html(payload, "news.example.kz")) == []


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


def test_only_links_to_other_sites_get_noopener():
    html = (
        '<a href="https://other.example.com/a" rel="follow">чужой</a>'
        '<a href="//other.example.com/b">без схемы</a>'
        '<a href="/2026/11/25/nashe/">свой путь</a>'
        '<a href="https://News.Example.kz/tag/x/">свой сайт</a>'
        '<a href="mailto:desk@news.example.kz">почта</a>'
    )
    assert sanitize_html(html, "news.example.kz") == (
        '<a href="https://other.example.com/a" rel="noopener noreferrer">чужой</a>'
        '<a href="//other.example.com/b" rel="noopener noreferrer">без схемы</a>'
        '<a href="/2026/11/25/nashe/">свой путь</a>'
        '<a href="https://News.Example.kz/tag/x/">свой сайт</a>'
        '<a href="mailto:desk@news.example.kz">почта</a>'
    )


def test_text_that_merely_looks_like_markup_stays_escaped():
    clean = sanitize_html("<p>&lt;script&gt;alert(1)&lt;/script&gt; 5 &lt; 6</p>")
    assert clean == "<p>&lt;script&gt;alert(1)&lt;/script&gt; 5 &lt; 6</p>"


def test_the_corpus_is_dangerous_before_sanitizing():
    inert = {
        "<img src=x onerror=alert(1)//",  # only active once markup follows it, as in a page
        "<!--<img src=x onerror=alert(1)>-->",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    }
    for payload in CORPUS:
        assert bool(executable_constructs(payload)) is (payload not in inert), payload


def test_an_image_without_alt_gets_an_empty_one_and_a_given_alt_stays():
    html = (
        '<p><img src="/a.jpg"></p><img src="/b.jpg" alt="Степь"><img alt src="/c.jpg">'
        '<img title=\'alt="x"\' src="/d.jpg"><p>&lt;img src=x&gt;</p>'
    )
    assert sanitize_html(html) == (
        '<p><img src="/a.jpg" alt=""></p><img src="/b.jpg" alt="Степь"><img alt="" src="/c.jpg">'
        '<img title="alt=&quot;x&quot;" src="/d.jpg" alt=""><p>&lt;img src=x&gt;</p>'
    )


@pytest.mark.parametrize(
    ("body", "clean"),
    [
        ('<a href="http://exa mple.com/">x</a>', "<a>x</a>"),
        ('<a href="/a b%zz?q=<1>#f#g">x</a>', '<a href="/a%20b%25zz?q=%3C1%3E#f%23g">x</a>'),
        ('<a hreflang="xx" title="t">x</a>', '<a title="t">x</a>'),
        ('<img src="javascript:alert(1)" alt="x">', ""),
        (
            '<img src="/i.png" width="10px" height="5" loading="LAZY">',
            '<img src="/i.png" loading="lazy" height="5" alt="">',
        ),
        ('<ol start="x" reversed="no"><li>a</li></ol>', '<ol reversed=""><li>a</li></ol>'),
        ('<p><time datetime="2026-02-30">30 февраля</time></p>', "<p>30 февраля</p>"),
        (
            '<time datetime="2026-11-25">25 ноября</time>',
            '<time datetime="2026-11-25">25 ноября</time>',
        ),
        ("<p>a\x85b&#xFDD0;c</p>", "<p>abc</p>"),
    ],
)
def test_values_that_would_make_the_page_invalid_are_repaired_or_dropped(body, clean):
    assert sanitize_html(body, "news.example.kz") == clean
