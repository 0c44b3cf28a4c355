from playwright.sync_api import expect


def test_case_worker_logs_in_and_sees_the_start_page(page, live_server, login, case_worker, screenshot):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Logga in i Resursråd")).to_be_visible()
    screenshot("login")
    login("karin@haninge.test", "fel-losenord")
    expect(page.get_by_text("E-postadressen eller lösenordet är fel")).to_be_visible()
    expect(page.get_by_label("E-postadress")).to_have_value("karin@haninge.test")
    screenshot("login-error")
    login("karin@haninge.test")
    expect(page.get_by_role("heading", name="Mina ärenden", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_visible()
    screenshot("start-case-worker")


def test_skip_link_is_first_on_the_page_and_moves_focus_to_main(page, live_server, login, case_worker):
    login("karin@haninge.test")
    expect(page.get_by_role("heading", name="Mina ärenden", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
