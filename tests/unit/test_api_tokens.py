"""NEWSROOM_API_TOKENS parsing: named and bare entries, and the entries refused as weak."""

import pytest

from shared.api_tokens import ApiToken, WeakTokenError, parse_tokens

STRONG = "s" * 32
OTHER = "o" * 43


def test_named_and_bare_entries_are_parsed_with_their_names():
    value = f" cms:{STRONG} , {OTHER},,mobile-app.v2:{STRONG}x "

    assert parse_tokens(value) == [
        ApiToken("cms", STRONG),
        ApiToken("default", OTHER),
        ApiToken("mobile-app.v2", STRONG + "x"),
    ]


def test_one_name_may_hold_two_secrets_while_one_is_rotated_out():
    assert [t.name for t in parse_tokens(f"cms:{STRONG},cms:{OTHER}")] == ["cms", "cms"]


def test_an_empty_list_is_no_tokens():
    assert parse_tokens("") == [] and parse_tokens(" , ") == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("cms:change-me", "placeholder"),
        ("change-me", "placeholder"),
        (f"cms:{STRONG[:31]}", "has 31 characters, at least 32"),
        ("cms:", "has 0 characters"),
        (f"c m s:{STRONG}", "token name"),
        (f":{STRONG}", "token name"),
        (f"cms:{STRONG},crm:{STRONG}", "listed twice"),
    ],
)
def test_weak_entries_are_refused_naming_the_setting_never_the_secret(value, reason):
    with pytest.raises(WeakTokenError) as refused:
        parse_tokens(value)

    message = str(refused.value)
    assert message.startswith("NEWSROOM_API_TOKENS: ") and reason in message
    assert STRONG[:31] not in message


def test_the_advice_names_the_command_that_makes_a_strong_token():
    with pytest.raises(WeakTokenError, match=r"`newsroom token new --name cms`"):
        parse_tokens("cms:short")
