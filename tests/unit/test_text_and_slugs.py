"""Plain text, slugs and truncation: Cyrillic and Kazakh handled as readers expect."""

from shared.slugs import make_slug, numbered, unnumbered
from shared.text import plain_text, truncate_words, xml_safe


def test_russian_title_becomes_a_readable_latin_slug():
    assert make_slug("Чем я могу Вам помочь?") == "chem-ya-mogu-vam-pomoch"


def test_kazakh_letters_are_transliterated_not_dropped():
    assert make_slug("Ұлы Жеңіс: әнші Қайрат") == "uly-zhengis-anshi-qayrat"
    assert make_slug("Жас бүркіт") == "zhas-burkit"


def test_slug_is_never_empty_and_never_a_path():
    assert make_slug("!!!") == "n-a"
    assert make_slug("../../etc/passwd") == "etc-passwd"


def test_long_slug_is_cut_on_a_word_boundary():
    slug = make_slug("очень " * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"ochen"}


def test_plain_text_removes_xml_invalid_characters_and_extra_space():
    assert plain_text("  Заголовок\x00\x0b  с\tпробелами\n ") == "Заголовок с пробелами"
    assert xml_safe("a\ufffeb\x1fc") == "abc"


def test_truncation_marks_the_cut_on_a_word_boundary():
    title = "Отказ от карательного подхода: применение закона к бизнесу меняется"
    cut = truncate_words(title, 60)
    assert cut == "Отказ от карательного подхода: применение закона к бизнесу…"
    assert len(cut) <= 60
    assert truncate_words("Поехали?", 60) == "Поехали?"


def test_a_numbered_slug_loses_only_its_number():
    assert numbered("novost-2025", 3) == "novost-2025-3"
    assert unnumbered(numbered("novost-2025", 3)) == "novost-2025"
    assert unnumbered("novost") == "novost"
