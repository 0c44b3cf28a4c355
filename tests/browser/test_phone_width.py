"""Lists, the inbox, the consent table and the logs at phone width (375 px) and
unchanged at 1280 px; error states with enough contrast (WCAG 2.1 AA)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Referral
from resursrad.models import AccessAction, AccessLog
from tests.factories import give_consent, make_participant, make_referral, submitted_referral

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def cases(case_worker, coordinator):  # type: ignore[no-untyped-def]
    """A draft with consent for two parties, two submitted (one waiting long) and an accepted referral."""
    draft = make_referral(
        case_worker,
        participant=make_participant(
            first_name="Anna-Karin", last_name="Lindqvist Johansson", personal_number=""
        ),
        requested_parties=["kommun", "af"],
    )
    give_consent(draft, case_worker, "kommun")
    give_consent(draft, case_worker, "af")
    waiting = submitted_referral(
        case_worker, participant=make_participant(first_name="Bo", personal_number="")
    )
    Referral.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - timedelta(days=20))
    accepted = submitted_referral(
        case_worker, participant=make_participant(first_name="Cecilia", personal_number="")
    )
    accepted.accept(by=coordinator)
    submitted_referral(case_worker, participant=make_participant(first_name="David", personal_number=""))
    return {"draft": draft, "waiting": waiting}


@pytest.fixture
def log_entries(cases, case_worker):  # type: ignore[no-untyped-def]
    for index, referral in enumerate(Referral.objects.order_by("pk")):
        AccessLog.objects.create(
            user=case_worker,
            organisation_id=case_worker.organisation_id,
            referral_id=referral.pk,
            case_number=referral.case_number,
            action=AccessAction.VIEW,
            request_id=f"{index:032x}",
            at=timezone.now() - timedelta(minutes=index),
        )


def open_page(page, live_server, login, email, url, viewport):  # type: ignore[no-untyped-def]
    page.set_viewport_size(viewport)
    login(email)
    page.goto(f"{live_server.url}{url}")


def assert_fits_the_phone(page, min_rows, has_status=True):  # type: ignore[no-untyped-def]
    """No sideways scrolling; every row a card whose status and labelled cells are in view.

    A list grouped under a heading per status (has_status=False) has the card's title in view instead.
    """
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    rows = page.locator("table.table-cards > tbody > tr")
    assert rows.count() >= min_rows
    for index in range(rows.count()):
        row = rows.nth(index)
        row.scroll_into_view_if_needed()
        status = row.locator(".table-cards-status" if has_status else ".table-cards-title")
        expect(status).to_be_visible()
        box = status.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        # The status is in the visible part of the page, not just in the layout.
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        row_box = row.bounding_box()
        assert row_box is not None and row_box["x"] + row_box["width"] <= PHONE["width"]
    # Each value names its column, since the header row is out of sight.
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.table-cards td[data-label]')).map(
            td => [td.dataset.label, getComputedStyle(td, '::before').content])"""
    )
    assert labels
    for label, content in labels:
        assert label in content
    for thead in page.locator("table.table-cards > thead").all():
        expect(thead).not_to_be_in_viewport()


def assert_is_a_plain_table(page):  # type: ignore[no-untyped-def]
    styles = page.evaluate(
        """() => {
            const table = document.querySelector('table.table-cards');
            const cells = Array.from(table.querySelectorAll('td'));
            return {
                table: getComputedStyle(table).display,
                row: getComputedStyle(table.querySelector('tbody > tr')).display,
                cells: cells.map(td => getComputedStyle(td).display),
                before: cells.map(td => getComputedStyle(td, '::before').content),
            };
        }"""
    )
    assert styles["table"] == "table"
    assert styles["row"] == "table-row"
    assert set(styles["cells"]) == {"table-cell"}
    assert set(styles["before"]) == {"none"}
    expect(page.locator("table.table-cards > thead")).to_be_visible()


def tab_to(page, locator, limit=40):  # type: ignore[no-untyped-def]
    """Press Tab from the top of the page until the locator has focus."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def assert_filter_folds_and_opens_by_keyboard(page, first_field):  # type: ignore[no-untyped-def]
    fold = page.locator("details.filter-fold")
    summary = fold.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_text("Filter")
    expect(fold).not_to_have_attribute("open", "")
    expect(first_field).to_be_hidden()
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(fold).to_have_attribute("open", "")
    expect(first_field).to_be_visible()
    page.keyboard.press("Tab")
    expect(first_field).to_be_focused()


def assert_filter_shows_without_fold(page, first_field):  # type: ignore[no-untyped-def]
    expect(page.locator("details.filter-fold > summary")).to_be_hidden()
    expect(first_field).to_be_visible()
    # The fields are in the accessibility tree of the browser itself, not only drawn.
    session = page.context.new_cdp_session(page)
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    selector = f"#{first_field.get_attribute('id')}"
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    tree = session.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    assert tree["nodes"] and not tree["nodes"][0]["ignored"]
    assert tree["nodes"][0]["role"]["value"] in {"combobox", "textbox"}


# --- the case worker's list --------------------------------------------------


def test_case_worker_list_fits_a_phone_with_each_status_in_view(page, live_server, login, cases, screenshot):
    open_page(page, live_server, login, "karin@haninge.test", "/cases/", PHONE)
    assert_fits_the_phone(page, min_rows=4)
    # The worklist puts the draft first.
    expect(page.locator("table.table-cards > tbody > tr").first.locator(".table-cards-status")).to_have_text(
        "Utkast"
    )
    screenshot("phone-375-case-worker-list")
    page.evaluate("window.scrollTo(0, 0)")
    # The case worker's first filter is "Att göra".
    assert_filter_folds_and_opens_by_keyboard(page, page.locator("#id_todo"))


def test_case_worker_list_filter_is_open_when_a_filter_is_in_use(page, live_server, login, cases, screenshot):
    open_page(page, live_server, login, "karin@haninge.test", "/cases/?status=submitted", PHONE)
    expect(page.locator("details.filter-fold")).to_have_attribute("open", "")
    expect(page.get_by_label("Status", exact=True)).to_be_visible()
    expect(page.get_by_label("Status", exact=True)).to_have_value("submitted")
    assert_fits_the_phone(page, min_rows=2)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("phone-375-case-worker-list-filtered")


def test_case_worker_list_filter_is_open_when_it_has_an_error(page, live_server, login, cases):
    open_page(page, live_server, login, "karin@haninge.test", "/cases/?created_from=2026-13-45", PHONE)
    expect(page.locator("details.filter-fold")).to_have_attribute("open", "")
    expect(page.get_by_label("Skapad från")).to_be_visible()


def test_case_worker_list_is_a_plain_table_at_desktop_width(page, live_server, login, cases, screenshot):
    open_page(page, live_server, login, "karin@haninge.test", "/cases/", DESKTOP)
    assert_is_a_plain_table(page)
    assert_filter_shows_without_fold(page, page.get_by_label("Status", exact=True))
    screenshot("desktop-1280-case-worker-list")


def test_card_tables_keep_their_table_semantics(page, live_server, login, cases):
    open_page(page, live_server, login, "karin@haninge.test", "/cases/", PHONE)
    # Chromium's own accessibility tree: still a table whose cells have column headers.
    session = page.context.new_cdp_session(page)
    nodes = [n for n in session.send("Accessibility.getFullAXTree")["nodes"] if not n.get("ignored")]
    roles = [n["role"]["value"] for n in nodes]
    assert roles.count("table") == 1
    assert roles.count("row") == 5  # the header row and four referrals
    # Six columns but the organisation, which never varies for a case worker.
    assert roles.count("cell") == 4 * 5
    headers = [n.get("name", {}).get("value") for n in nodes if n["role"]["value"] == "columnheader"]
    assert headers == ["Ärendenummer", "Deltagare", "Status", "Handläggare", "Skapad"]
    # Explicit roles for browsers that drop them from a table not displayed as one.
    roles_in_dom = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.table-cards, table.table-cards *'))
            .filter(e => ['TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD'].includes(e.tagName))
            .map(e => e.tagName + ':' + e.getAttribute('role'))"""
    )
    assert set(roles_in_dom) == {
        "TABLE:table",
        "THEAD:rowgroup",
        "TBODY:rowgroup",
        "TR:row",
        "TH:columnheader",
        "TD:cell",
    }


# --- the coordinator's inbox -------------------------------------------------


def test_inbox_fits_a_phone_with_each_wait_in_view(page, live_server, login, cases, coordinator, screenshot):
    open_page(page, live_server, login, "eva@forbund.test", "/cases/inbox/", PHONE)
    assert_fits_the_phone(page, min_rows=2)
    # In the inbox the wait is the row's status; a long wait keeps its badge.
    expect(page.locator(".table-cards-status").first).to_contain_text("Över")
    screenshot("phone-375-inbox")
    page.evaluate("window.scrollTo(0, 0)")
    assert_filter_folds_and_opens_by_keyboard(page, page.get_by_label("Behovsgrupp"))


def test_inbox_filter_is_open_when_a_filter_is_in_use(page, live_server, login, cases, coordinator):
    open_page(
        page, live_server, login, "eva@forbund.test", "/cases/inbox/?target_group=long_term_sick", PHONE
    )
    expect(page.locator("details.filter-fold")).to_have_attribute("open", "")
    expect(page.get_by_label("Behovsgrupp")).to_be_visible()


def test_inbox_is_a_plain_table_at_desktop_width(page, live_server, login, cases, coordinator, screenshot):
    open_page(page, live_server, login, "eva@forbund.test", "/cases/inbox/", DESKTOP)
    assert_is_a_plain_table(page)
    assert_filter_shows_without_fold(page, page.get_by_label("Behovsgrupp"))
    screenshot("desktop-1280-inbox")


# --- the consent table on a case page ----------------------------------------


def test_consent_table_fits_a_phone_with_each_state_in_view(page, live_server, login, cases, screenshot):
    open_page(page, live_server, login, "karin@haninge.test", f"/cases/{cases['draft'].pk}/", PHONE)
    assert_fits_the_phone(page, min_rows=2)
    expect(page.locator(".table-cards-status")).to_have_text(["Gäller", "Gäller"])
    # The action link stays in its card and is reached by keyboard.
    link = page.get_by_role("link", name="Registrera återkallelse för Kommun")
    link.focus()
    expect(link).to_be_focused()
    screenshot("phone-375-consent-table")


def test_consent_table_is_a_plain_table_at_desktop_width(page, live_server, login, cases, screenshot):
    open_page(page, live_server, login, "karin@haninge.test", f"/cases/{cases['draft'].pk}/", DESKTOP)
    assert_is_a_plain_table(page)
    screenshot("desktop-1280-consent-table")


def test_consent_table_prints_as_a_table_from_a_phone(page, live_server, login, cases):
    open_page(page, live_server, login, "karin@haninge.test", f"/cases/{cases['draft'].pk}/", PHONE)
    page.emulate_media(media="print")
    assert_is_a_plain_table(page)


# --- the access log ------------------------------------------------------------


def test_access_log_fits_a_phone_with_each_action_in_view(
    page, live_server, login, log_entries, administrator, screenshot
):
    open_page(page, live_server, login, "ali@forbund.test", "/system/access-log/", PHONE)
    assert_fits_the_phone(page, min_rows=4)
    screenshot("phone-375-access-log")
    page.evaluate("window.scrollTo(0, 0)")
    assert_filter_folds_and_opens_by_keyboard(page, page.get_by_label("Användare"))


def test_access_log_filter_is_open_when_a_filter_is_in_use(
    page, live_server, login, log_entries, administrator
):
    number = Referral.objects.order_by("pk").first().case_number  # type: ignore[union-attr]
    open_page(
        page, live_server, login, "ali@forbund.test", f"/system/access-log/?case_number={number}", PHONE
    )
    expect(page.locator("details.filter-fold")).to_have_attribute("open", "")
    expect(page.get_by_label("Ärendenummer")).to_have_value(number)
    assert_fits_the_phone(page, min_rows=1)


def test_access_log_filter_error_is_shown_open_at_phone_width(
    page, live_server, login, log_entries, administrator
):
    url = "/system/access-log/?at_from=2026-02-01T08:00&at_to=2026-01-01T08:00"
    open_page(page, live_server, login, "ali@forbund.test", url, PHONE)
    expect(page.locator("details.filter-fold")).to_have_attribute("open", "")
    expect(page.get_by_text("Periodens slut får inte ligga före dess början.")).to_be_visible()


def test_access_log_is_a_plain_table_at_desktop_width(
    page, live_server, login, log_entries, administrator, screenshot
):
    open_page(page, live_server, login, "ali@forbund.test", "/system/access-log/", DESKTOP)
    assert_is_a_plain_table(page)
    assert_filter_shows_without_fold(page, page.get_by_label("Användare"))
    screenshot("desktop-1280-access-log")


def test_administration_log_fits_a_phone(page, live_server, login, administrator, coordinator, screenshot):
    from resursrad.models import AdminEvent, AdminEventKind

    AdminEvent.objects.create(
        kind=AdminEventKind.ROLE_CHANGED,
        actor=administrator,
        subject=coordinator,
        roles_before=["is_case_worker"],
        roles_after=["is_case_worker", "is_coordinator"],
        request_id="a" * 32,
    )
    AdminEvent.objects.create(
        kind=AdminEventKind.ADMIN_LOGIN, actor=administrator, subject=administrator, request_id="b" * 32
    )
    open_page(page, live_server, login, "ali@forbund.test", "/system/admin-events/", PHONE)
    assert_fits_the_phone(page, min_rows=2)
    screenshot("phone-375-admin-events")
    page.evaluate("window.scrollTo(0, 0)")
    assert_filter_folds_and_opens_by_keyboard(page, page.get_by_label("Händelse"))


# --- error states: contrast ------------------------------------------------------

# For each element: its text colour, border colour and the background it is
# drawn on (the first opaque background among it and its ancestors, with
# translucent ones laid over it).
COLOURS = """(selector) => Array.from(document.querySelectorAll(selector)).map(element => {
    const parse = value => {
        const parts = value.match(/[\\d.]+/g).map(Number);
        return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
    };
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour.a > 0) layers.push(colour);
        if (colour.a === 1) break;
    }
    let bg = {r: 255, g: 255, b: 255};
    for (const layer of layers.reverse()) {
        bg = {r: layer.r * layer.a + bg.r * (1 - layer.a), g: layer.g * layer.a + bg.g * (1 - layer.a),
              b: layer.b * layer.a + bg.b * (1 - layer.a)};
    }
    const style = getComputedStyle(element);
    return {text: element.textContent.trim(), color: parse(style.color),
            border: parse(style.borderTopColor), background: bg};
})"""


def _luminance(colour: dict[str, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour["r"]) + 0.7152 * channel(colour["g"]) + 0.0722 * channel(colour["b"])


def contrast(one: dict[str, float], other: dict[str, float]) -> float:
    lighter, darker = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula_matches_the_wcag_examples():
    black, white = {"r": 0, "g": 0, "b": 0}, {"r": 255, "g": 255, "b": 255}
    assert contrast(black, white) == pytest.approx(21)
    # Bootstrap's red on the page background: the 4.22:1 this change fixes.
    assert contrast({"r": 0xDC, "g": 0x35, "b": 0x45}, {"r": 0xF6, "g": 0xF7, "b": 0xF9}) == pytest.approx(
        4.22, abs=0.01
    )


def test_consent_form_errors_have_aa_contrast(page, live_server, login, cases, screenshot):
    fresh = make_referral(
        cases["draft"].handler, participant=make_participant(personal_number=""), requested_parties=["kommun"]
    )
    open_page(page, live_server, login, "karin@haninge.test", f"/cases/{fresh.pk}/consents/new/", DESKTOP)
    page.get_by_label("Registrera samtycke för Kommun").check()
    page.get_by_role("button", name="Registrera samtycke", exact=True).click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    screenshot("consent-form-errors")

    labels = page.evaluate(COLOURS, ".form-check-input.is-invalid ~ .form-check-label")
    texts = page.evaluate(COLOURS, ".invalid-feedback, [data-error-summary] h2, [data-error-summary] li")
    fields = page.evaluate(COLOURS, ".is-invalid")
    # The checkbox labels, the messages and the invalid fields are all measured (the
    # form's radio buttons start with a choice, so they have no error state to show).
    assert any(label["text"] == "Hälsa" for label in labels)
    assert len(texts) >= 4
    assert len(fields) >= 5
    for item in labels + texts:
        ratio = contrast(item["color"], item["background"])
        assert ratio >= 4.5, f"{item['text']!r}: {ratio:.2f}:1"
    # An invalid field's border against the page around the field (WCAG 1.4.11).
    surrounding = page.evaluate(COLOURS, "main")[0]["background"]
    for item in fields:
        ratio = contrast(item["border"], surrounding)
        assert ratio >= 3, f"border: {ratio:.2f}:1"
