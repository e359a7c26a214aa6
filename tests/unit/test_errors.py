"""The error tree: codes map to classes, hints carry the contract's advice, tokens never show."""

import pytest

from nemo_widgets import errors


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (1001, errors.AuthError),
        (1002, errors.SessionNotFound),
        (2001, errors.NoCredits),
        (4001, errors.UnsupportedFile),
        (4002, errors.FileTooLarge),
        (402, errors.ExportBlocked),
        (429, errors.RateLimited),
        (5000, errors.NemoError),
    ],
    ids=lambda v: str(v) if isinstance(v, int) else v.__name__,
)
def test_code_maps_to_class(code: int, cls: type) -> None:
    err = errors.error_for(code, "boom")
    assert type(err) is cls
    assert err.code == code


def test_hints_follow_the_contract() -> None:
    assert "mp4" in str(errors.error_for(4001, "no"))
    assert "unlock export" in str(errors.error_for(402, "no"))
    assert "compress" in str(errors.error_for(4002, "no")).lower()


def test_no_credits_carries_the_registration_link() -> None:
    err = errors.NoCredits("short", register_url="https://nemovideo.com/register?bind=abc")
    assert err.register_url and "bind=abc" in str(err)


@pytest.mark.parametrize(
    "text",
    ["token nmv_usr_abc123XYZ refused", "header Authorization: Bearer nmv_usr_zz9 was bad"],
)
def test_token_shaped_text_is_redacted(text: str) -> None:
    err = errors.NemoError(text)
    assert "nmv_usr" not in str(err) and "nmv_usr" not in repr(err)
