"""The widget on a page of another origin, as a keyboard and screen-reader user meets it, on a
desktop and a phone, and scoped to one paper with data-docs (slow)."""

from __future__ import annotations

import pytest

from conftest import DOC

from .conftest import serve_folder, shot

pytestmark = pytest.mark.slow
WIDGET = "[data-legco-qa]"


@pytest.fixture(scope="module")
def scoped_pages(app_url, tmp_path_factory):
    """Host pages on a second origin: one widget over the paper only, one over a paper not indexed."""
    root = tmp_path_factory.mktemp("scoped-host")
    for name, docs in (("paper.html", DOC), ("missing.html", "no-such-paper")):
        (root / name).write_text(
            f'<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body><h1>About one paper</h1><script src="{app_url}/widget.js" data-title="Ask this paper" '
            f'data-docs="{docs}" async></script></body></html>', encoding="utf-8")
    yield from serve_folder(root)


def in_widget(page, expression: str):
    return page.evaluate(f"(() => {{ const r = document.querySelector('{WIDGET}').shadowRoot; return {expression}; }})()")


def ask(page, question: str, nth: int):
    page.locator(f"{WIDGET} >> textarea").fill(question)
    page.locator(f"{WIDGET} >> textarea").press("Enter")
    answer = page.locator(f"{WIDGET} >> .msg.bot").nth(nth)
    answer.locator("button.cite, :scope.error, :scope.abstain").first.wait_for(timeout=30_000)
    return answer


def test_keyboard_escape_focus_and_labels(page, host_url):
    page.goto(host_url)
    bubble = page.locator(f"{WIDGET} >> .bubble")
    bubble.wait_for(timeout=20_000)
    assert bubble.get_attribute("aria-expanded") == "false"
    bubble.click()
    assert bubble.get_attribute("aria-expanded") == "true"
    assert in_widget(page, "r.activeElement && r.activeElement.tagName") == "TEXTAREA"
    answer = ask(page, "When was the PPRD Joint Conference held in Guiyang?", 0)
    cite = answer.locator("button.cite").first
    assert cite.get_attribute("aria-label") == "paragraph 9, Strengthening Regional Co-operation with the Mainland"
    cite.click()
    source = page.locator(f"{WIDGET} >> .src")
    source.wait_for(state="visible")
    # a new question clears the last answer's source
    ask(page, "Who is the Mayor of Beijing?", 1)
    assert in_widget(page, "r.querySelector('.src').classList.contains('hidden')")
    page.keyboard.press("Escape")
    page.locator(f"{WIDGET} >> .panel").wait_for(state="hidden")
    assert bubble.get_attribute("aria-expanded") == "false"
    assert in_widget(page, "r.activeElement && r.activeElement.className") == "bubble"


def test_on_a_phone_the_source_is_a_sheet_with_the_quote_in_view(browser, host_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(host_url)
        page.locator(f"{WIDGET} >> .bubble").tap()
        answer = ask(page, "Which areas does legal co-operation cover?", 0)
        answer.locator("button.cite").first.tap()
        mark = page.locator(f"{WIDGET} >> .src mark")
        mark.wait_for(state="visible")
        box = mark.bounding_box()
        assert 0 <= box["y"] < 844
        panel = page.locator(f"{WIDGET} >> .panel").bounding_box()
        assert panel["width"] == 390  # the widget takes the screen, not half of it
        shot(page, "24-widget-phone")
    finally:
        context.close()


def test_data_docs_scopes_the_widget_to_one_paper(page, scoped_pages):
    page.goto(scoped_pages + "/paper.html")
    page.locator(f"{WIDGET} >> .bubble").click()
    page.wait_for_function(f"document.querySelector('{WIDGET}').shadowRoot.querySelector('.scope')"
                           ".textContent.includes('Strengthening Regional Co-operation with the Mainland')")
    assert DOC not in page.locator(f"{WIDGET} >> .head").inner_text()  # the paper's title, not its file id
    answer = ask(page, "How many Mainland Offices does the HKSAR Government have?", 0)
    assert "five Mainland Offices" in answer.inner_text()
    page.goto(scoped_pages + "/missing.html")
    page.locator(f"{WIDGET} >> .bubble").click()
    answer = ask(page, "How many Mainland Offices does the HKSAR Government have?", 0)
    assert "no-such-paper" in answer.inner_text() and "error" in answer.get_attribute("class")


def test_a_list_and_a_lead_line_in_the_widget(page, host_url):
    page.goto(host_url)
    page.locator(f"{WIDGET} >> .bubble").click()
    answer = ask(page, "Which meetings were held outside Hong Kong?", 0)
    items = answer.locator("li").count()
    assert items >= 2 and answer.locator("li button.cite").count() == items
    assert answer.locator("li strong").first.inner_text().startswith("Hong Kong/")
    second = answer.locator("li button.cite").nth(1)
    where = second.inner_text().strip("[]")
    second.click()
    assert where in page.locator(f"{WIDGET} >> .src h4").inner_text()
    lead = ask(page, "Who is the Mayor of Beijing?", 1)
    assert lead.locator("strong").first.inner_text() == "Mr Yin Yong"
    near = ask(page, "When was the PPRD Joint Conference held in Kunming?", 2)
    assert "abstain" in near.get_attribute("class") and near.locator("button.cite").count() >= 1
