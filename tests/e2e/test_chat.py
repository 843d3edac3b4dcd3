"""The chat people live in, in Chromium: conversations that survive, plain copies, readable sources
on a phone and in dark mode, the zh-HK interface, and the attacks that must not get through (slow)."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from .conftest import ADMIN_TOKEN, ROOT, shot

pytestmark = pytest.mark.slow
BOT = '#qa-chat [data-testid="bot"]'
OFFICES = "How many Mainland Offices does the HKSAR Government have?"


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#qa-input textarea")
    page.wait_for_function("document.querySelector('.qa-top')")


def ask(page, question: str, n: int) -> None:
    page.locator("#qa-input textarea").fill(question)
    page.locator("#qa-input textarea").press("Enter")
    # the n-th answer is complete when it has its citation links (or is an abstention, in italics)
    page.wait_for_function(f"n => document.querySelectorAll('{BOT}').length >= n && "
                           f"[...document.querySelectorAll('{BOT}')].pop().querySelector('a[href*=\"#cite/\"], em')",
                           arg=n, timeout=30_000)
    # and kept: the conversation is saved before Ask is switched back on (the chain's last step)
    page.wait_for_function("!document.querySelector('#qa-send')?.disabled", timeout=30_000)


def bots(page) -> int:
    return page.locator(BOT).count()


def test_empty_sends_keep_the_conversation_and_a_reload_keeps_it_too(page, app_url):
    open_chat(page, app_url + "/chat/")
    ask(page, OFFICES, 1)
    box = page.locator("#qa-input textarea")
    for action in ("enter", "spaces", "button"):
        box.fill("" if action != "spaces" else "    ")
        if action == "button":
            page.locator("#qa-send").click()
        else:
            box.press("Enter")
        time.sleep(0.8)
        assert bots(page) == 1 and "five Mainland Offices" in page.locator(BOT).first.inner_text(), action
        assert page.locator("#qa-sources .qa-source").count() >= 1, action

    page.reload()
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 1", timeout=20_000)
    assert "five Mainland Offices" in page.locator(BOT).first.inner_text()

    # a second conversation; both are listed, the first can be reopened, one deleted, then all
    page.locator("#qa-clear").click()
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
    ask(page, "Who is the Mayor of Shanghai named in the paper?", 1)
    page.locator("#qa-convs input").click()
    options = page.locator("[role=option]")
    options.first.wait_for()
    names = [o.inner_text().strip("✓ \n") for o in options.all()]
    assert names[0].startswith("Who is the Mayor") and any(n.startswith("How many Mainland") for n in names)
    options.filter(has_text="How many Mainland").click()
    page.wait_for_function(f"document.querySelector('{BOT}')?.innerText.includes('five Mainland Offices')")
    page.locator("#qa-delete").click()  # asks first, then removes
    page.locator("#qa-yes").click()
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
    page.reload()
    page.wait_for_function(f"document.querySelector('{BOT}')?.innerText.includes('Gong Zheng')", timeout=20_000)
    page.locator("#qa-clear-all").click()
    page.locator("#qa-yes").click()
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
    page.reload()
    page.wait_for_selector("#qa-input textarea")
    time.sleep(2)
    assert bots(page) == 0


def test_a_conversation_is_still_there_after_the_app_restarts(page, index_dir, tmp_path_factory):
    """The browser's storage is sealed with a key kept beside the index, so the next process (or
    another replica) reads what the last one stored."""
    import shutil

    from conftest import free_port

    from .conftest import start_app

    index = tmp_path_factory.mktemp("restart") / "index"
    shutil.copytree(index_dir, index)
    env = {"QA_INDEX_DIR": str(index), "QA_PORT": str(free_port())}  # one origin: one localStorage
    first = start_app(tmp_path_factory, env)
    open_chat(page, next(first) + "/chat/")
    ask(page, OFFICES, 1)
    first.close()  # the app stops
    second = start_app(tmp_path_factory, env)
    try:
        page.goto(next(second) + "/chat/")
        page.wait_for_function(f"document.querySelector('{BOT}')?.innerText.includes('five Mainland Offices')",
                               timeout=20_000)
    finally:
        second.close()
    assert (index.parent / ".index.browser-secret").stat().st_mode & 0o077 == 0  # readable by the app alone


def test_share_link_reproduces_an_answer_with_its_conversation(page, app_url):
    open_chat(page, app_url + "/chat/")
    ask(page, "When was the Hong Kong/Fujian Co-operation Conference held?", 1)
    ask(page, "Who led the delegation from that province?", 2)
    link = page.locator(BOT).last.locator('a[href^="?q="]').get_attribute("href")
    fresh = page.context.browser.new_context()
    other = fresh.new_page()
    try:
        open_chat(other, app_url + "/chat/" + link)
        other.wait_for_function(f"document.querySelectorAll('{BOT}').length >= 2 && "
                                f"[...document.querySelectorAll('{BOT}')].pop().innerText.includes('Guo Ningning')",
                                timeout=30_000)
    finally:
        fresh.close()


def test_a_long_question_is_counted_and_refused_whole(page, app_url):
    open_chat(page, app_url + "/chat/")
    question = "Which meetings were held outside Hong Kong? " * 120  # about 5,300 characters
    box = page.locator("#qa-input textarea")
    box.fill(question)
    box.press("End")
    box.type(" ")
    counter = page.locator("#qa-counter")
    counter.wait_for()
    assert counter.inner_text().endswith("/ 2,000") and "over" in counter.get_attribute("class")
    box.press("Enter")
    page.wait_for_selector("text=the limit is 2,000", timeout=10_000)
    assert bots(page) == 0 and len(box.input_value()) > 5000  # nothing cut, nothing lost


def test_examples_ask_and_the_box_has_a_label(page, app_url):
    open_chat(page, app_url + "/chat/")
    assert page.get_by_label("Your question").count() == 1
    page.locator(".qa-example").first.click()
    page.wait_for_function(f"document.querySelector('{BOT}')?.innerText.includes('five Mainland Offices')",
                           timeout=30_000)


def test_copy_gives_plain_text_and_screen_readers_get_it_too(page, app_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_chat(page, app_url + "/chat/")
    ask(page, "What does legal co-operation include?", 1)
    message = page.locator(BOT).last
    message.hover()
    page.locator('#qa-chat button[aria-label="Copy message"]').last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"\[(\S+ )?¶13\]", copied) and "#cite/" not in copied and "](" not in copied and "?q=" not in copied
    assert "Sources:" in copied and "Strengthening Regional Co-operation with the Mainland" in copied
    page.wait_for_function(f"!document.querySelector('{BOT}').getAttribute('aria-label')?.includes('#cite/')")
    label = message.get_attribute("aria-label") or ""
    assert "¶13]" in label and "#cite/" not in label


def test_an_earlier_answers_citation_is_highlighted(page, app_url):
    open_chat(page, app_url + "/chat/")
    ask(page, OFFICES, 1)
    ask(page, "Who is the Mayor of Shanghai named in the paper?", 2)
    page.locator(BOT).first.locator('a[href*="#cite/"]').first.click()
    card = page.locator("#qa-sources .qa-source.qa-active")
    card.wait_for()
    assert "Source of an earlier answer" in card.inner_text()
    assert "five Mainland Offices" in card.locator("mark").inner_text()


def contrast(page, selector: str) -> float:
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel); const s = getComputedStyle(el);
        const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        const lum = (c) => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const a = lum(s.color), b = lum(s.backgroundColor);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""", selector)


def test_dark_mode_highlight_is_readable(page, app_url):
    open_chat(page, app_url + "/chat/?__theme=dark")
    ask(page, OFFICES, 1)
    page.locator(BOT).last.locator('a[href*="#cite/"]').first.click()
    page.locator("#qa-sources .qa-active mark").wait_for()
    assert contrast(page, "#qa-sources .qa-active mark") >= 4.5
    shot(page, "20-chat-dark")


def test_on_a_phone_sources_open_in_a_sheet_that_closes_back(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_chat(page, app_url + "/chat/")
        ask(page, OFFICES, 1)
        link = page.locator(BOT).last.locator('a[href*="#cite/"]').first
        link.scroll_into_view_if_needed()
        before = page.evaluate("window.scrollY")
        link.tap()
        page.wait_for_function("document.querySelector('#qa-side.qa-open')")
        time.sleep(0.5)
        side = page.locator("#qa-side").bounding_box()
        assert side["y"] < 844 and side["y"] + side["height"] <= 845  # on screen, over the conversation
        assert abs(page.evaluate("window.scrollY") - before) < 5  # no jump down the page
        assert page.locator("#qa-sources .qa-active mark").is_visible()
        shot(page, "21-chat-phone-sheet")
        page.locator("#qa-sources .qa-sheet-close").tap()
        page.wait_for_function("!document.querySelector('#qa-side.qa-open')")
        assert page.evaluate("document.activeElement.getAttribute('href') || ''").startswith("#cite/")
    finally:
        context.close()


def test_the_interface_in_traditional_chinese(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-HK")
    page = context.new_page()
    try:
        open_chat(page, app_url + "/chat/")
        page.wait_for_function("document.querySelector('.qa-top h1').innerText === '立法會文件問答'", timeout=10_000)
        assert page.get_by_label("你的問題").count() == 1 and page.locator("#qa-send").inner_text() == "提問"
        ask(page, "香港在內地有多少個辦事處？", 1)
        page.locator(BOT).last.locator('a[href*="#cite/"]').first.click()
        page.locator("#qa-sources .qa-active").wait_for()
        assert "最近答案的出處" in page.locator("#qa-sources").inner_text()
        shot(page, "22-chat-zh-HK")
        page.locator("#qa-lang").get_by_text("English").click()
        page.wait_for_function("document.querySelector('.qa-top h1').innerText === 'Ask the LegCo papers'")
        page.reload()
        page.wait_for_function("document.querySelector('.qa-top h1')?.innerText === 'Ask the LegCo papers'",
                               timeout=10_000)  # the reader's choice is remembered
    finally:
        context.close()


def test_desktop_screenshot(page, app_url):
    open_chat(page, app_url + "/chat/")
    ask(page, "Which meetings did the Chief Executive attend?", 1)
    page.locator(BOT).last.locator('a[href*="#cite/"]').first.click()
    page.locator("#qa-sources .qa-active").wait_for()
    shot(page, "23-chat-desktop")


AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def upload(app_url: str, name: str, text: str) -> None:
    """Index one more paper through the admin API, and wait for it."""
    status = httpx.post(app_url + "/api/documents", headers=AUTH, files={"files": (name, text.encode())}).json()["status"]
    for _ in range(200):
        if httpx.get(app_url + status, headers=AUTH).json()["state"] in ("done", "failed"):
            return
        time.sleep(0.2)


def test_html_and_css_from_a_document_are_shown_as_text(page, app_url):
    hostile = ("# Ferry notice\n\n1. The ferry pier at Tai O reopens in March. "
               '<a href="https://outside.example/" style="position:fixed;inset:0;opacity:0">x</a> '
               '<img src="https://outside.example/pixel.png"> ![t](https://outside.example/t.png) '
               '<span style="background:url(https://outside.example/c.png)">styled</span>\n')
    upload(app_url, "ferry-notice.md", hostile)
    try:
        open_chat(page, app_url + "/chat/")
        ask(page, "When does the ferry pier at Tai O reopen?", 1)
        message = page.locator(BOT).last
        assert "<img" in message.inner_text()  # shown, as text
        assert message.locator("img, [style*=fixed], span[style]").count() == 0
        assert page.locator('#qa-chat a[href^="https://outside"]').count() == 0
    finally:
        httpx.delete(app_url + "/api/documents/ferry-notice", headers=AUTH)
    # the page fixture fails the test if the browser fetched anything from outside


def test_a_share_link_s_markup_stays_words(page, app_url):
    """A share link is written by whoever sends it: its question and its earlier questions are
    shown as typed, never as an image, a link or a style."""
    from urllib.parse import quote

    q = ("<img src=http://example.invalid/q.png> ![x](http://example.invalid/x.png) "
         "[Official notice](http://example.invalid/phish) How many Mainland Offices are there?")
    ctx = '["<img src=http://example.invalid/c.png> When was the Hong Kong/Fujian Co-operation Conference held?"]'
    open_chat(page, app_url + "/chat/?q=" + quote(q, safe="") + "&ctx=" + quote(ctx, safe=""))
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length >= 2 && "
                           f"[...document.querySelectorAll('{BOT}')].pop().querySelector('a[href*=\"#cite/\"], em')",
                           timeout=30_000)
    chat = page.locator("#qa-chat")
    assert "[Official notice](http://example.invalid/phish)" in chat.inner_text()  # shown, as typed
    assert "<img src=http://example.invalid/c.png>" in chat.inner_text()
    assert chat.locator("img, a[href*='//example.invalid']").count() == 0  # the share link's own is encoded
    # the page fixture fails the test if the browser fetched anything from outside


def test_thumbs_in_the_chat_are_limited_like_the_api_s(page, app_url, feedback_file):
    """Clicking thumbs over and over stores no more votes than a client may give in a minute."""
    question = "Who is the Mayor of Shanghai named in the paper, by name?"
    open_chat(page, app_url + "/chat/")
    ask(page, question, 1)
    for i in range(40):
        page.locator(f'#qa-chat button[aria-label="{"Like" if i % 2 == 0 else "Dislike"}"]').first.click()
    time.sleep(3)
    rows = [json.loads(line) for line in feedback_file.read_text(encoding="utf-8").splitlines()] \
        if feedback_file.exists() else []
    mine = [r for r in rows if r["question"] == question]
    assert 1 <= len(mine) <= 20  # QA_FEEDBACK_PER_MINUTE, for this client by every way in


def test_api_docs_render_offline(page, app_url):
    page.goto(app_url + "/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=20_000)
    page.goto(app_url + "/redoc")
    page.wait_for_selector("redoc [role=navigation], .menu-content", timeout=20_000)


def test_uploads_through_gradio_are_refused(app_url):
    res = httpx.post(app_url + "/chat/gradio_api/upload", files={"files": ("a.bin", b"x" * 10_000)})
    assert res.status_code == 403
    assert not re.search(r"gradio_api/file=", res.text)


def test_the_search_in_picker_scopes_questions(page, app_url):
    upload(app_url, "harbour-notice.md", "# Harbour notice\n\n1. The harbour tunnel toll rises to HK$30 in 2025.\n")
    try:
        open_chat(page, app_url + "/chat/")
        page.locator("#qa-scope input").click()
        page.locator("[role=option]", has_text="Harbour notice").click()
        page.keyboard.press("Escape")
        ask(page, "How many Mainland Offices does the HKSAR Government have?", 1)
        assert "not say" in page.locator(BOT).last.inner_text()  # not in the paper searched
        ask(page, "What will the harbour tunnel toll be?", 2)
        assert "HK$30" in page.locator(BOT).last.inner_text()
    finally:
        httpx.delete(app_url + "/api/documents/harbour-notice", headers=AUTH)


def test_a_list_renders_as_a_list_and_a_near_miss_points_at_the_paper(page, app_url):
    open_chat(page, app_url + "/chat/")
    ask(page, "Which meetings were held outside Hong Kong?", 1)
    answer = page.locator(BOT).last
    items = answer.locator("li")
    assert items.count() >= 2
    assert items.first.locator("strong").inner_text().startswith("Hong Kong/")  # named by its heading
    second = items.nth(1).locator('a[href*="#cite/"]')
    where = second.inner_text().strip("[]")
    second.click()
    page.wait_for_function(f"document.querySelector('#qa-sources .qa-active')?.innerText.includes('{where}')")
    ask(page, "When was the PPRD Joint Conference held in Guiyang?", 2)
    assert page.locator(BOT).last.locator("strong").first.inner_text() == "7 July 2023"
    ask(page, "When was the PPRD Joint Conference held in Kunming?", 3)
    near = page.locator(BOT).last
    assert "does not say when the PPRD Joint Conference was held in Kunming" in near.inner_text()
    assert near.locator("em").count()
    near.locator('a[href*="#cite/"]').first.click()
    page.wait_for_function("document.querySelector('#qa-sources .qa-active')?.innerText.includes('¶9')")
    shot(page, "25-chat-list-and-near-miss")


BILINGUAL = ROOT / "tests" / "data" / "bilingual" / "legco-panel-ca-2024-05-20-regional-cooperation-zh.md"


def test_a_paper_in_two_languages_quotes_the_question_s_language_with_the_other_beside_it(page, app_url):
    upload(app_url, BILINGUAL.name, BILINGUAL.read_text(encoding="utf-8"))
    try:
        open_chat(page, app_url + "/chat/")
        ask(page, "閩港合作會議第四次會議同意推進多少項合作事項？", 1)
        answer = page.locator(BOT).last
        assert "21項事項" in answer.inner_text() and "[中文 ¶8]" in answer.inner_text()
        answer.locator('a[href*="#cite/"]').first.click()
        active = page.locator("#qa-sources .qa-source.qa-active")
        active.wait_for(timeout=10_000)
        assert "21項事項" in active.locator("mark").first.inner_text()
        other = active.locator(".qa-other")
        assert "English version · ¶8" in other.inner_text() and "21 items covering ten areas" in other.inner_text()
        shot(page, "27-bilingual-zh")
        ask(page, "How many items did the Fourth Plenary Session of the Hong Kong/Fujian Co-operation Conference agree?", 2)
        answer = page.locator(BOT).last
        assert "21 items" in answer.inner_text() and "[¶8]" in answer.inner_text()
        answer.locator('a[href*="#cite/"]').first.click()
        page.wait_for_function("document.querySelector('#qa-sources .qa-active .qa-other')?.innerText.includes('中文本 · ¶8')")
        assert "十個範疇共21項事項" in page.locator("#qa-sources .qa-active .qa-other").inner_text()
    finally:
        httpx.delete(app_url + "/api/documents/" + BILINGUAL.stem, headers=AUTH)
