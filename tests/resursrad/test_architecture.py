"""The base package is the floor every app stands on: it imports no app."""

import ast
from pathlib import Path

BASE = Path(__file__).resolve().parents[2] / "resursrad"
APPS = {"cases", "meetings", "deviations", "followup"}


def test_the_base_package_imports_no_app():
    offenders = []
    for path in BASE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in APPS]
    assert offenders == []


def test_navigation_collects_each_apps_pages(case_worker, coordinator):
    from resursrad.navigation import menu_for, start_pages_for

    assert [item.url_name for item in start_pages_for(case_worker)] == ["cases:list"]
    # The coordinator starts on the planning page (meetings); the inbox follows in the menu.
    assert [item.url_name for item in start_pages_for(coordinator)] == ["meetings:planning"]
    assert [item.url_name for item in menu_for(coordinator)] == [
        "meetings:planning",
        "cases:inbox",
        "followup:statistics",
        "meetings:calendar",
        "cases:list",
        "followup:survey_results",
        "followup:register_extract_start",
        "deviations:report",
        "deviations:mine",
    ]
