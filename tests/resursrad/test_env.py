from datetime import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from resursrad.env import env_bool, env_choice, env_int, env_list, env_str, env_time


def test_bool_accepts_common_spellings(monkeypatch):
    for value, expected in [("true", True), ("1", True), ("off", False), ("No", False)]:
        monkeypatch.setenv("X_FLAG", value)
        assert env_bool("X_FLAG", not expected) is expected


def test_empty_variable_means_default(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "")
    assert env_int("X_NUMBER", 7) == 7
    assert env_list("X_NUMBER", ["a"]) == ["a"]


def test_list_is_comma_separated(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.se, b.se,,")
    assert env_list("X_LIST", []) == ["a.se", "b.se"]


def test_required_string_names_the_variable(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env_str("X_REQUIRED", required=True)


def test_choice_lists_what_is_allowed(monkeypatch):
    monkeypatch.setenv("X_CHOICE", "c")
    with pytest.raises(ImproperlyConfigured, match="X_CHOICE must be one of a, b"):
        env_choice("X_CHOICE", "a", {"a", "b"})


def test_int_below_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER must be at least 0"):
        env_int("X_NUMBER", 1)


def test_bool_refuses_an_empty_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG is set but empty"):
        env_bool("X_FLAG", False)


def test_bool_refuses_a_blank_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "   ")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", True)


def test_bool_refuses_an_empty_file(monkeypatch, tmp_path):
    empty = tmp_path / "flag"
    empty.write_text("\n")
    monkeypatch.delenv("X_FLAG", raising=False)
    monkeypatch.setenv("X_FLAG_FILE", str(empty))
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", True)


def test_unset_bool_means_default(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", False) is False


def test_time_of_day_is_read_as_hours_and_minutes(monkeypatch):
    monkeypatch.setenv("X_TIME", "7:05")
    assert env_time("X_TIME", "12:00") == time(7, 5)
    monkeypatch.delenv("X_TIME")
    assert env_time("X_TIME", "23:59") == time(23, 59)


@pytest.mark.parametrize("value", ["24:00", "07:60", "7", "07.00", "sju"])
def test_time_of_day_out_of_range_is_refused(monkeypatch, value):
    monkeypatch.setenv("X_TIME", value)
    with pytest.raises(ImproperlyConfigured, match="X_TIME must be a time of day written HH:MM"):
        env_time("X_TIME", "07:00")
