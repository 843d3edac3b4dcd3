"""The chat, the widget and the iframe in a real browser over the real app (slow)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from .conftest import ADMIN_TOKEN, shot

pytestmark = pytest.mark.slow


def ask_main(page, question: str, n: int, timeout_ms: int = 30_000) -> None:
    page.locator("#qa-input textarea").fill(question)
    page.locator("#qa-input textarea").press("Enter")
    # the n-th answer is complete when its citations are links
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-chat [data-testid=\"bot\"]').length >= n", arg=n, timeout=timeout_ms)


def last_bot(page):
    return page.locator('#qa-chat [data-testid="bot"]').last


def test_main_chat_cites_and_shows_the_paragraph(page, app_url):
    page.goto(app_url + "/chat/")
    page.wait_for_selector("#qa-input textarea")
    shot(page, "01-main-empty")
    ask_main(page, "How many Mainland Offices does the HKSAR Government have?", 1)
    link = last_bot(page).locator('a[href*="#cite/"]').first
    link.wait_for(timeout=30_000)
    assert "five Mainland Offices" in last_bot(page).inner_text()
    assert link.inner_text().strip("[]") == "¶3"
    link.click()
    active = page.locator("#qa-sources .qa-source.qa-active")
    active.wait_for(timeout=10_000)
    assert "¶3" in active.inner_text() and "11 Liaison Units" in active.inner_text()
    assert "five Mainland Offices" in active.locator("mark").inner_text()
    shot(page, "02-main-answer-source")

    # follow-up, answered from the paragraph of the conversation
    ask_main(page, "When was the Hong Kong/Fujian Co-operation Conference's Fourth Plenary Session held?", 2)
    last_bot(page).locator('a[href*="#cite/"]').first.wait_for(timeout=30_000)
    ask_main(page, "Who led the delegation from that province?", 3)
    follow = last_bot(page).locator('a[href*="#cite/"]').first
    follow.wait_for(timeout=30_000)
    assert "Guo Ningning" in last_bot(page).inner_text() and follow.inner_text().strip("[]") == "¶8"

    # an earlier answer's citation still opens its paragraph
    page.locator('#qa-chat [data-testid="bot"]').first.locator('a[href*="#cite/"]').first.click()
    page.wait_for_function("document.querySelector('#qa-sources .qa-active')?.innerText.includes('¶3')")
    shot(page, "03-main-followup")


def test_chinese_long_input_and_abstention_render(page, app_url):
    page.goto(app_url + "/chat/")
    page.wait_for_selector("#qa-input textarea")
    ask_main(page, "閩港合作會議第四次全體會議達成了多少項合作事項？", 1)
    last_bot(page).locator('a[href*="#cite/"]').first.wait_for(timeout=30_000)
    assert "21 items" in last_bot(page).inner_text()
    ask_main(page, "Who won the 2023 Hong Kong Marathon? " + "Please answer in detail. " * 40, 2)
    page.wait_for_function(
        "document.querySelectorAll('#qa-chat [data-testid=\"bot\"]').length >= 2 && "
        "[...document.querySelectorAll('#qa-chat [data-testid=\"bot\"]')].pop().innerText.includes('not say')",
        timeout=30_000)
    # nothing overflows the chat horizontally
    overflow = page.evaluate("(() => { const c = document.querySelector('#qa-chat'); "
                             "return c.scrollWidth - c.clientWidth; })()")
    assert overflow <= 2
    shot(page, "04-main-chinese-abstain")


def test_feedback_and_clear(page, app_url, feedback_file):
    page.goto(app_url + "/chat/")
    page.wait_for_selector("#qa-input textarea")
    ask_main(page, "Who is the Mayor of Shanghai named in the paper?", 1)
    last_bot(page).locator('a[href*="#cite/"]').first.wait_for(timeout=30_000)
    page.locator('#qa-chat button[aria-label="Like"]').first.click()
    # the file may exist a moment before its line is written: wait for the line
    deadline = time.time() + 10
    rows: list[dict] = []
    while time.time() < deadline and not rows:
        text = feedback_file.read_text(encoding="utf-8") if feedback_file.exists() else ""
        rows = [json.loads(line) for line in text.splitlines() if line.endswith("}")]
        time.sleep(0.2)
    assert rows, "no feedback recorded"
    assert rows[-1]["vote"] == "up" and "Gong Zheng" in rows[-1]["answer"]
    assert rows[-1]["question"] == "Who is the Mayor of Shanghai named in the paper?"
    assert rows[-1]["citations"][0]["paragraph"] == "11"
    page.locator("#qa-clear").click()
    page.wait_for_function("document.querySelectorAll('#qa-chat [data-testid=\"bot\"]').length === 0")
    assert "Sources appear here" in page.locator("#qa-sources").inner_text()


def ask_embedded(root, question: str, fact: str, paragraph: str, nth: int):
    """Ask in the widget or the /embed iframe (one client), and open the answer's first citation."""
    root.locator("textarea").fill(question)
    root.locator("textarea").press("Enter")
    answer = root.locator(".msg.bot").nth(nth)
    cite = answer.locator("button.cite").first
    cite.wait_for(timeout=30_000)
    assert fact in answer.inner_text()
    cite.click()
    source = root.locator(".src")
    source.wait_for(state="visible")
    assert f"¶{paragraph}" in source.inner_text()
    return source


def test_widget_and_iframe_on_a_second_origin(page, app_url, host_url):
    page.goto(host_url)
    bubble = page.locator("[data-legco-qa] >> .bubble")
    bubble.wait_for(timeout=20_000)
    assert page.evaluate("getComputedStyle(document.querySelector('[data-legco-qa]').shadowRoot"
                         ".querySelector('.bubble')).backgroundColor") == "rgb(15, 118, 110)"  # host CSS kept out
    bubble.click()
    widget = page.locator("[data-legco-qa] >> .panel")
    source = ask_embedded(widget, "When was the PPRD Joint Conference held in Guiyang?", "7 July 2023", "9", 0)
    assert "7 July 2023" in source.locator("mark").inner_text()
    ask_embedded(widget, "Which provinces does it comprise?", "Guizhou", "9", 1)  # a follow-up
    shot(page, "05-widget")

    frame = page.frame_locator("#qa-iframe")
    ask_embedded(frame, "Who is the Mayor of Beijing?", "Yin Yong", "10", 0)
    page.locator("#qa-iframe").scroll_into_view_if_needed()
    shot(page, "06-iframe")

    # Gradio's own web component, loaded from the app with no CDN
    component = page.locator("#qa-gradio")
    component.scroll_into_view_if_needed()
    component.locator("#qa-input textarea").fill("How many Mainland Offices does the HKSAR Government have?")
    component.locator("#qa-input textarea").press("Enter")
    component.locator('a[href*="#cite/"]').first.wait_for(timeout=30_000)
    assert "five Mainland Offices" in component.locator('[data-testid="bot"]').last.inner_text()
    shot(page, "07-gradio-web-component")


def test_gradio_client_and_rest(app_url):
    from gradio_client import Client

    client = Client(app_url + "/chat/", verbose=False)
    data = client.predict("How many co-operation items and areas were agreed with Chongqing?", [], api_name="/ask")
    assert data["citations"][0]["paragraph"] == "7" and "47 items" in data["answer"]
    rest = httpx.post(app_url + "/api/ask", json={"question": "How many items did Hong Kong and Shanghai reach "
                                                               "consensus on?"}, timeout=30).json()
    assert rest["citations"][0]["paragraph"] == "11" and "65 items" in rest["answer"]


def test_admin_page_uploads_with_progress_and_removes(page, app_url, tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from docgen import make_html

    doc = make_html(tmp_path / "regional-web.html")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(app_url + "/admin")
    page.fill("#token", ADMIN_TOKEN)
    page.dispatch_event("#token", "change")
    page.set_input_files("#files", str(doc))
    page.fill("#date", "2024-05-23")
    page.click("#send")
    page.wait_for_function("document.querySelector('#status').innerText.startsWith('Indexed')", timeout=60_000)
    assert "1 added" in page.inner_text("#status")
    row = page.locator("#docs tr", has_text="regional-web")
    row.wait_for()
    assert "2024-05-23" in row.inner_text()
    shot(page, "08-admin")
    # the chat now names the document in citations
    answer = httpx.post(app_url + "/api/ask", json={"question": "When was the PPRD Joint Conference held in Guiyang?"},
                        timeout=30).json()
    assert " ¶9]" in answer["answer"]
    row.locator("button.danger").click()
    page.wait_for_function("document.querySelector('#status').innerText.startsWith('Removed')")
    page.wait_for_function("!document.querySelector('#docs').innerText.includes('regional-web')")
    assert "[¶9]" in httpx.post(app_url + "/api/ask", json={"question": "When was the PPRD Joint Conference held "
                                                                       "in Guiyang?"}, timeout=30).json()["answer"]


def test_admin_queue_shows_time_left_and_cancels(page, app_url, tmp_path):
    long_doc = tmp_path / "long-harbour-report.md"
    long_doc.write_text("# Harbour report\n\n" + "\n\n".join(
        f"{n}. Paragraph {n} of the harbour report: pier {n}, its repairs and its ferries." for n in range(1, 300)),
        encoding="utf-8")
    page.goto(app_url + "/admin")
    page.fill("#token", ADMIN_TOKEN)
    page.dispatch_event("#token", "change")
    page.set_input_files("#files", str(long_doc))
    page.click("#send")
    # the running job's row shows its file, a progress bar and the time left, with a Cancel button
    page.wait_for_function("[...document.querySelectorAll('#jobs tr')].some(tr => "
                           "tr.innerText.includes('long-harbour-report.md') && /\\d+ (s|min)/.test(tr.innerText))",
                           timeout=60_000)
    shot(page, "26-admin-queue")
    page.locator("#jobs button", has_text="Cancel").first.click()
    page.wait_for_function("document.querySelector('#status').innerText.startsWith('Cancel')", timeout=30_000)
    page.wait_for_function("[...document.querySelectorAll('#jobs tr')].some(tr => tr.innerText.includes('cancelled'))",
                           timeout=30_000)
    docs = httpx.get(app_url + "/api/documents").json()["documents"]
    assert "long-harbour-report" not in {d["doc"] for d in docs}
