"""The keyset cursor: what a page link carries, and what it refuses."""

from datetime import UTC, datetime

import pytest

from resursrad.keyset import NEWER, OLDER, Cursor


@pytest.mark.parametrize("direction", [OLDER, NEWER])
def test_a_cursor_comes_back_as_it_went_out(direction):
    cursor = Cursor(datetime(2026, 3, 15, 8, 30, 5, 123456, tzinfo=UTC), 4711, direction)
    token = cursor.encode()
    assert token.isascii() and "=" not in token
    assert Cursor.decode(token) == cursor


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "!!!",
        "bjEyMw",
        "cTEyMy40",
        "bi0xLjA",
        "bjEyMy4tNA",
        "bjk5OTk5OTk5OTk5OTk5OTk5OTk5OTkuMQ",
        "w6Q",
    ],
)
def test_anything_else_is_refused(token):
    with pytest.raises(ValueError):
        Cursor.decode(token)
