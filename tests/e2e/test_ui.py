"""The chat-first interface over a 36-paper library (a bilingual pair among them), in Chromium at
1366×900 and 390×844, light and dark, English and zh-HK: what a reader sees on load, the sources
sheet closed by touch, contrast measured with getComputedStyle, the page's language, readable
citations, a scoped Chinese question, conversation habits, keyboard focus, the widget and /embed
in Chinese, and the admin page for editors (slow). One server for the module; screenshots of each
view go to /tmp/ui-shots (or $QA_UI_SHOTS), never into the repository."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import DOC

from .conftest import ADMIN_TOKEN, start_app
from .test_chat import ask
from .library import build_library

pytestmark = pytest.mark.slow
SHOTS = Path(os.environ.get("QA_UI_SHOTS", "/tmp/ui-shots"))
BOT = '#qa-chat [data-testid="bot"]'
USER = '#qa-chat [data-testid="user"]'
ZH_DOC = "legco-panel-ca-2024-05-20-regional-cooperation-zh"
FUJIAN_ZH = "閩港合作會議第四次會議同意推進多少項事項？"
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}

# The contrast of every piece of text (and every placeholder) against what is behind it, as
# getComputedStyle gives them: backgrounds are composited up the tree until one is opaque.
CONTRAST_JS = """(scope) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g) || [0, 0, 0, 0]; return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]); };
  function behind(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let colour = document.body.classList.contains("dark") ? [11, 15, 25, 1] : [255, 255, 255, 1];
    for (const l of layers.reverse()) colour = over(l, colour);
    return colour;
  }
  const ratio = (fg, bg) => { const a = lum(over(fg, bg)), b = lum(bg); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const seen = [];
  const root = document.querySelector(scope) || document.body;
  const visible = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden" &&
    el.getBoundingClientRect().width > 2 && el.getBoundingClientRect().height > 2 &&
    !el.closest("[hidden], #qa-preview, .qa-backdrop") && parseFloat(getComputedStyle(el).opacity) > 0.2;
  for (const el of [root, ...root.querySelectorAll("*")]) {
    if (!visible(el) || el.closest("button:disabled, [aria-hidden=true], svg")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) seen.push({what: (el.id || el.className || el.tagName) + ": " + el.textContent.trim().slice(0, 30),
                        ratio: ratio(parse(getComputedStyle(el).color), behind(el))});
    if ((el.tagName === "TEXTAREA" || el.tagName === "INPUT") && el.placeholder && !el.value)
      seen.push({what: "placeholder " + el.placeholder.slice(0, 30),
                 ratio: ratio(parse(getComputedStyle(el, "::placeholder").color), behind(el))});
  }
  return seen;
}"""


def low_contrast(page, scope: str = "body") -> list[str]:
    return [f"{x['what']} {x['ratio']:.2f}" for x in page.evaluate(CONTRAST_JS, scope) if x["ratio"] < 4.5]


def min_contrast(page, scope: str) -> float:
    found = page.evaluate(CONTRAST_JS, scope)
    assert found, scope
    return min(x["ratio"] for x in found)


def save(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def library_url(tmp_path_factory):
    """The app over the 36-paper library, its index built here (the passages' vectors are shared
    with the rest of the session)."""
    from qa.config import Settings
    from qa.service import QA

    source = build_library(tmp_path_factory.mktemp("library"))
    index = tmp_path_factory.mktemp("library-index") / "index"
    QA(Settings(index_dir=index, corpus_dir=source)).index([source])
    yield from start_app(tmp_path_factory, {"QA_ADMIN_TOKEN": ADMIN_TOKEN}, index=index, source=source)


def new_page(browser, viewport=DESK, zh=False, touch=False):
    context = browser.new_context(viewport=viewport, is_mobile=touch, has_touch=touch,
                                  locale="zh-HK" if zh else "en-GB")
    return context, context.new_page()


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#qa-input textarea:not([disabled])", timeout=20_000)
    page.wait_for_function("document.querySelector('.qa-covered')")
    time.sleep(0.3)  # the page script sizes the conversation to the screen


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and \
        box["x"] >= 0 and box["x"] + box["width"] <= size["width"]


# interface words allowed in the Chinese interface: the language toggle, key names, paper titles
ENGLISH_ALLOWED = {"English", "Enter", "Esc", "Ctrl", "Shift"}


def english_left(page, scope: str = "body") -> list[str]:
    """Latin words in what a zh-HK reader sees or hears (text, placeholders, labels, titles), but
    the allowed ones and the titles of English papers."""
    found = page.evaluate("""(scope) => {
      const root = document.querySelector(scope) || document.body, out = [];
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !el.getClientRects().length || el.closest("script, style, code, [hidden], [aria-hidden=true]")) continue;
        if (n.textContent.trim()) out.push(n.textContent);
      }
      for (const el of root.querySelectorAll("[placeholder], [aria-label], [title]")) {
        if (!el.getClientRects().length) continue;
        for (const a of ["placeholder", "aria-label", "title"]) if (el.getAttribute(a)) out.push(el.getAttribute(a));
      }
      return out; }""", scope)
    base = page.url.split("/chat")[0].split("/embed")[0].split("/admin")[0]
    docs = httpx.get(base + "/api/documents").json()["documents"]
    names = sorted([d["title"] for d in docs] + [d["doc"] for d in docs], key=len, reverse=True)
    words = []
    for text in found:
        for t in names:
            text = text.replace(t, "")
        words += [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ENGLISH_ALLOWED]
    return words


def test_first_screen_in_each_size_theme_and_language(browser, library_url):
    """The box and the examples are visible on load, the header says what is covered, html[lang]
    follows the interface, every text is at least 4.5:1, and zh-HK has no English left."""
    for viewport, size in ((DESK, "desktop"), (PHONE, "phone")):
        for zh in (False, True):
            for dark in (False, True):
                context, page = new_page(browser, viewport, zh=zh, touch=viewport is PHONE)
                try:
                    open_chat(page, library_url + "/chat/" + ("?__theme=dark" if dark else ""))
                    view = f"{size}-{'zh' if zh else 'en'}-{'dark' if dark else 'light'}"
                    assert in_view(page, "#qa-input textarea") and in_view(page, ".qa-example"), view
                    ex = page.locator(".qa-example").first.bounding_box()
                    assert ex["y"] < page.locator("#qa-input textarea").bounding_box()["y"], view  # above the box
                    covered = page.locator(".qa-covered").inner_text()
                    assert ("35 份文件" if zh else "35 papers") in covered and "2019–2024" in covered, covered
                    assert page.evaluate("document.documentElement.lang") == ("zh-HK" if zh else "en"), view
                    assert low_contrast(page) == [], view
                    if zh:
                        assert english_left(page) == [], view
                    save(page, f"01-first-{view}")
                finally:
                    context.close()


def open_sheet(page) -> None:
    link = page.locator(BOT).last.locator('a[href*="#cite/"]').first
    link.evaluate("e => e.scrollIntoView({block: 'center'})")  # inside the conversation's own scroller
    link.tap()
    page.wait_for_function("document.documentElement.classList.contains('qa-sheet-open') && "
                           "document.querySelector('#qa-side .qa-active')")


def swipe_down(page, x: float, y: float) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 6):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + 30 * step}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_on_a_phone_the_sheet_closes_by_touch_and_citations_read_at_a_glance(browser, library_url):
    context, page = new_page(browser, PHONE, touch=True)
    try:
        open_chat(page, library_url + "/chat/")
        ask(page, "How many Mainland Offices does the HKSAR Government have?", 1)
        answer = page.locator(BOT).last
        # readable citations: labels, never file ids; a numbered list of sources under the answer
        ids = [d["doc"] for d in httpx.get(library_url + "/api/documents").json()["documents"]]
        labels = [a.inner_text() for a in answer.locator('a[href*="#cite/"]').all()]
        assert labels and not [x for x in labels if any(i in x for i in ids)], labels
        assert "[2024-05-20 ¶3]" in labels
        assert "Strengthening Regional Co-operation with the Mainland" in answer.locator("ol li").first.inner_text()
        save(page, "02-phone-answer")
        # the drawer: conversations and papers, closed by Escape
        page.locator(".qa-menu").tap()
        page.wait_for_function("document.documentElement.classList.contains('qa-drawer-open')")
        assert page.locator("#qa-scope").is_visible()
        save(page, "04-phone-drawer")
        page.keyboard.press("Escape")
        page.wait_for_function("!document.documentElement.classList.contains('qa-drawer-open')")
        # (the swipe last: after a synthetic swipe Chromium takes the next tap for no click)
        for how in ("close button", "escape", "tap outside", "swipe"):
            open_sheet(page)
            close = page.locator("#qa-side .qa-sheet-close").bounding_box()
            assert close["width"] >= 44 and close["height"] >= 44 and 0 <= close["y"] < PHONE["height"], how
            side = page.locator("#qa-side").bounding_box()
            assert side["x"] >= 0 and side["x"] + side["width"] <= PHONE["width"] + 1, how  # nothing clipped
            if how == "close button":
                save(page, "03-phone-sheet")
                page.locator("#qa-side .qa-sheet-close").tap()
            elif how == "swipe":
                bar = page.locator("#qa-side .qa-sheet-bar").bounding_box()
                swipe_down(page, bar["x"] + 60, bar["y"] + 20)
            elif how == "escape":
                page.keyboard.press("Escape")
            else:
                page.touchscreen.tap(195, 60)  # the dimmed conversation above the sheet
            page.wait_for_function("!document.documentElement.classList.contains('qa-sheet-open')", timeout=3000)
        assert in_view(page, "#qa-input textarea")
    finally:
        context.close()


def test_sources_contrast_preview_and_a_scoped_chinese_question(browser, library_url):
    context, page = new_page(browser)
    try:
        open_chat(page, library_url + "/chat/")
        # the picker lists the bilingual pair once, in both languages
        page.locator("#qa-scope input").click()
        pair = page.locator("[role=option]", has_text="Strengthening Regional Co-operation")
        assert pair.count() == 1 and "English + 中文" in pair.inner_text()
        assert page.locator("[role=option]").count() == 35
        pair.click()
        page.keyboard.press("Escape")
        ask(page, FUJIAN_ZH, 1)
        answer = page.locator(BOT).last
        assert "21項" in answer.inner_text()  # the Chinese version quoted, though the English one was picked
        answer.locator('a[href*="#cite/"]').first.hover()
        preview = page.locator("#qa-preview")
        preview.wait_for()
        assert "加強與內地的區域合作" in preview.inner_text() and "¶" in preview.inner_text()
        answer.locator('a[href*="#cite/"]').first.click()
        active = page.locator("#qa-sources .qa-source.qa-active")
        assert "21項" in active.locator("mark").first.inner_text()
        assert "21" in active.locator(".qa-other mark").inner_text()  # the English paragraph, highlighted too
        save(page, "05-desktop-scoped-chinese")
        # light here, then dark: the conversation comes back after a reload with its sources panel
        for theme in ("light", "dark"):
            if theme == "dark":
                page.goto(library_url + "/chat/?__theme=dark")
                page.wait_for_function(f"document.querySelector('{BOT}') && "
                                       "document.querySelector('#qa-sources .qa-source')", timeout=20_000)
                page.locator(BOT).last.locator('a[href*="#cite/"]').first.click()
                page.locator("#qa-sources .qa-source.qa-active").wait_for()
            chips = min_contrast(page, BOT + ' a[href*="#cite/"]')
            cards = min_contrast(page, "#qa-sources")
            print(f"contrast {theme}: chips {chips:.2f}, sources {cards:.2f}")
            assert chips >= 4.5 and cards >= 4.5 and low_contrast(page) == [], (theme, low_contrast(page))
            save(page, f"06-desktop-answer-{theme}")
        # after a reload the conversation comes back with its sources panel, and an earlier
        # citation reopened shows both languages, both highlighted
        page.reload()
        page.wait_for_function(f"document.querySelector('{BOT}') && document.querySelector('#qa-sources .qa-source')",
                               timeout=20_000)
        ask(page, "Who is the Mayor of Shanghai named in the paper?", 2)
        page.locator(BOT).first.locator('a[href*="#cite/"]').first.click()
        earlier = page.locator("#qa-sources .qa-source.qa-active")
        earlier.locator(".qa-other mark").wait_for()
        assert "21項" in earlier.locator("p mark").first.inner_text() and earlier.locator(".qa-read").count() == 2
    finally:
        context.close()


def test_conversation_habits(browser, library_url):
    """↑ recalls, Escape stops, regenerate, edit and resend, a new-conversation shortcut, Delete and
    Clear all confirmed and undone, and a shared ?q= that leaves the address once asked."""
    context, page = new_page(browser)
    try:
        open_chat(page, library_url + "/chat/?q=" + "How%20many%20Mainland%20Offices%20does%20the%20HKSAR%20Government%20have%3F")
        page.wait_for_function(f"document.querySelector('{BOT} a[href*=\"#cite/\"]')", timeout=30_000)
        page.wait_for_function("!location.search.includes('q=')", timeout=5000)
        box = page.locator("#qa-input textarea")
        box.focus()
        page.keyboard.press("ArrowUp")
        assert box.input_value() == "How many Mainland Offices does the HKSAR Government have?"
        box.fill("")
        # Escape presses Stop while an answer is written
        # (shown as while an answer is written: an extractive answer is over before a key could stop it)
        page.evaluate("""() => { const s = document.getElementById('qa-stop'); window.stopped = 0;
            s.addEventListener('click', () => window.stopped++, {once: true}); s.classList.remove('hidden'); }""")
        page.keyboard.press("Escape")
        assert page.evaluate("window.stopped") == 1
        page.evaluate("document.getElementById('qa-stop').classList.add('hidden')")
        # regenerate: the same question answered again, in place
        page.locator(BOT).last.hover()
        page.locator('#qa-chat button[aria-label="Retry"]').last.click()
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 1 && "
                               f"document.querySelector('{BOT} a[href*=\"#cite/\"]') && "
                               "!document.querySelector('#qa-send')?.disabled", timeout=30_000)
        # edit and resend: the question changed, the answer after it replaced. (A click that lands
        # while the regenerated answer is still being laid out can miss the button, as a reader's
        # would: they click again, and so does this, at most twice more.)
        edit = page.locator("#qa-chat textarea").first
        for _ in range(3):
            page.locator(USER).last.hover()
            page.locator('#qa-chat button[aria-label="Edit"]').last.click()
            try:
                edit.wait_for(timeout=5000)
                break
            except PlaywrightTimeout:
                continue
        edit.fill("Who is the Mayor of Shanghai named in the paper?")
        page.locator('#qa-chat button[aria-label="Submit"]').first.click()
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 1 && "
                               f"document.querySelector('{BOT}').innerText.includes('Gong Zheng')", timeout=30_000)
        assert page.locator(USER).count() == 1
        save(page, "07-desktop-edited")
        # a new conversation by keyboard; the last one is kept and can be deleted, then undone
        page.keyboard.press("Control+Shift+O")
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
        ask(page, "Which areas does legal co-operation cover?", 1)
        page.locator("#qa-delete").click()
        page.locator("#qa-confirm").first.wait_for()
        assert page.locator(BOT).count() == 1  # nothing removed before the reader says yes
        save(page, "08-desktop-confirm-delete")
        page.locator("#qa-yes").click()
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
        page.locator("#qa-undo").click()
        page.wait_for_function(f"document.querySelector('{BOT}')?.innerText.includes('¶')")
        page.locator("#qa-clear-all").click()
        page.locator("#qa-yes").click()
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
        page.locator("#qa-undo").click()
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 1")
        page.locator("#qa-convs input").click()
        assert page.locator("[role=option]").count() == 2
        page.keyboard.press("Escape")
    finally:
        context.close()


def test_tab_reaches_every_control_with_a_ring(browser, library_url):
    context, page = new_page(browser)
    try:
        open_chat(page, library_url + "/chat/")
        page.evaluate("document.activeElement.blur()")
        stops = []
        for _ in range(40):
            page.keyboard.press("Tab")
            stops.append(page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
                const ring = (parseFloat(s.outlineWidth) >= 2 && s.outlineStyle !== 'none') || /rgb/.test(s.boxShadow) ||
                  !!e.closest('label:focus-within');
                return {tag: e.tagName, id: e.id || (e.closest('[id]') || {}).id || '', cls: String(e.className).slice(0, 40),
                        text: (e.innerText || e.value || e.placeholder || '').slice(0, 30), ring}; }"""))
        cycle = stops[: next((i for i, s in enumerate(stops) if i and s == stops[0]), len(stops))]
        if cycle[-1]["tag"] == "BODY":  # past the last control the focus leaves the page, then comes back
            cycle = cycle[:-1]
        assert not [s for s in cycle if s["tag"] == "BODY"], [(s["tag"], s["id"], s["text"]) for s in cycle]
        assert not [s for s in stops if not s["ring"] and s["tag"] != "BODY"], [s for s in stops if not s["ring"]]
        reached = {s["id"] for s in stops} | {s["cls"].split()[0] for s in stops if s["cls"]}
        for wanted in ("qa-search", "qa-convs", "qa-delete", "qa-clear-all", "qa-scope", "qa-input", "qa-send",
                       "qa-lang", "qa-clear", "qa-menu", "qa-choose", "qa-example"):
            assert any(wanted in r for r in reached), (wanted, stops)
        page.locator("#qa-input textarea").focus()
        save(page, "09-desktop-focus-ring")
    finally:
        context.close()


def test_widget_and_embed_in_chinese_on_a_phone(browser, library_url):
    context, page = new_page(browser, PHONE, zh=True, touch=True)
    try:
        page.goto(library_url + "/embed?lang=zh-HK")
        root = page.locator("[data-legco-qa]")
        root.locator("textarea").wait_for()
        assert page.evaluate("document.documentElement.lang") == "zh-HK"
        assert english_left(page) == []
        root.locator("textarea").fill(FUJIAN_ZH)
        root.locator("textarea").press("Enter")
        cite = root.locator(".msg.bot button.cite").first
        cite.wait_for(timeout=30_000)
        assert english_left(page) == []
        cite.tap()
        close = root.locator(".src .x")
        box = close.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44 and box["y"] >= 0
        save(page, "10-embed-zh-phone-source")
        close.tap()
        root.locator(".src").wait_for(state="hidden")
        cite.tap()
        page.touchscreen.tap(195, 80)  # outside the source
        root.locator(".src").wait_for(state="hidden")
        # the widget on another page, scoped to the English paper: titled, and quoting the Chinese version
        page.set_content(f'<!doctype html><html lang="zh-HK"><head><meta name="viewport" content="width=device-width">'
                         f'</head><body><script src="{library_url}/widget.js" data-docs="{DOC}"></script></body></html>')
        page.locator("[data-legco-qa] >> .bubble").tap()
        head = page.locator("[data-legco-qa] >> .head")
        page.wait_for_function("document.querySelector('[data-legco-qa]').shadowRoot.querySelector('.scope')"
                               ".textContent.includes('加強與內地的區域合作')")  # the pair's Chinese title
        assert DOC not in head.inner_text() and "搜尋範圍" in head.inner_text()
        assert page.locator("[data-legco-qa] >> .head button").bounding_box()["height"] >= 44
        text = page.locator("[data-legco-qa] >> textarea")
        text.fill("問" * 2100)
        assert page.locator("[data-legco-qa] >> .counter").inner_text() == "2,100 / 2,000"
        text.press("Enter")
        assert "上限為 2,000" in page.locator("[data-legco-qa] >> .msg.bot.error").inner_text()
        assert text.input_value() == "問" * 2100  # nothing cut
        text.fill(FUJIAN_ZH)
        text.press("Enter")
        answer = page.locator("[data-legco-qa] >> .msg.bot:not(.error)").last
        answer.locator("button.cite").first.wait_for(timeout=30_000)
        assert "21項" in answer.inner_text() and english_left(page) == []
        save(page, "11-widget-zh-phone")
    finally:
        context.close()


def test_widget_labels_citations_by_the_papers_short_label(page, library_url):
    """/api/documents gives each paper's `short:` label, and the widget cites by it as the chat does."""
    docs = httpx.get(library_url + "/api/documents").json()["documents"]
    assert all("short" in d for d in docs)
    ferry = [d for d in docs if d["short"] == "Ferry answer"]
    assert len(ferry) == 1
    page.set_content(f'<!doctype html><html lang="en"><body><script src="{library_url}/widget.js" data-lang="en" '
                     f'data-mode="inline"></script></body></html>')
    text = page.locator("[data-legco-qa] >> textarea")
    text.fill("Which papers say how many ferry routes the Transport Department subsidises?")
    text.press("Enter")
    cite = page.locator("[data-legco-qa] >> .msg.bot:not(.error) button.cite").first
    cite.wait_for(timeout=30_000)
    shown = page.locator("[data-legco-qa] >> .msg.bot:not(.error) button.cite").all_inner_texts()
    assert any(t.startswith("[Ferry answer ¶") for t in shown), shown
    assert ferry[0]["doc"] not in page.locator("[data-legco-qa] >> .msg.bot").last.inner_text()


def test_reading_pages_carry_their_language_and_admin_fits_a_phone(browser, library_url):
    assert "<html lang='zh-HK'>" in httpx.get(f"{library_url}/read/{ZH_DOC}").text
    assert "<html lang='en'>" in httpx.get(f"{library_url}/read/{DOC}").text
    missing = httpx.get(library_url + "/api/jobs")
    wrong = httpx.get(library_url + "/api/jobs", headers={"authorization": "Bearer nope"})
    assert missing.status_code == wrong.status_code == 401
    assert "missing" in missing.json()["error"] and "wrong" in wrong.json()["error"]
    context, page = new_page(browser, PHONE, touch=True)
    try:
        page.goto(library_url + "/admin")
        page.locator("#docs button.replace").first.wait_for()
        assert page.evaluate("document.documentElement.lang") == "en" and page.locator("h1").inner_text() == "Documents"
        assert page.locator("#docs button.replace").count() == 36
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator("#urls").fill("https://example.org/paper.pdf")
        page.locator("#fetch").tap()
        page.wait_for_function("document.getElementById('url-status').textContent.includes('token')")
        assert "Enter the admin token" in page.locator("#url-status").inner_text()
        page.locator("#token").fill("not-it")
        page.locator("#token").dispatch_event("change")
        page.locator("#fetch").tap()
        page.wait_for_function("document.getElementById('url-status').textContent.includes('not the right one')")
        save(page, "12-admin-phone")
    finally:
        context.close()
    context, page = new_page(browser, PHONE, zh=True, touch=True)
    try:  # the admin page in zh-HK: the browser's language, or ?lang=; every word of it Chinese, and a way back
        page.goto(library_url + "/admin")
        page.wait_for_function("document.documentElement.lang === 'zh-HK'")
        page.goto(library_url + "/admin?lang=en")
        assert page.evaluate("document.documentElement.lang") == "en" and page.locator("h1").inner_text() == "Documents"
        page.goto(library_url + "/admin?lang=zh-HK")
        page.locator("#docs button.replace").first.wait_for()
        assert page.evaluate("document.documentElement.lang") == "zh-HK"
        assert page.locator("#lang-switch").inner_text() == "English"
        page.locator("#fetch").tap()
        page.wait_for_function("document.getElementById('url-status').textContent.includes('網址')")
        page.locator("#urls").fill("https://example.org/paper.pdf")
        page.locator("#fetch").tap()
        page.wait_for_function("document.getElementById('url-status').textContent.includes('管理權杖')")
        formats = {"PDF", "Word", "Markdown"}  # the names of file formats, as written in Chinese too
        assert [w for w in english_left(page) if w not in formats] == []
        save(page, "12-admin-phone-zh")
        page.locator("#lang-switch").tap()
        page.wait_for_function("document.documentElement.lang === 'en'")
    finally:
        context.close()


def test_share_links_from_the_web_component_point_at_the_chat(page, app_url, host_url):
    """In another site's page the chat's "Link to this answer" opens the chat itself, not the host
    (examples/embed.html's <gradio-app>, on a second origin)."""
    page.goto(host_url)
    component = page.locator("#qa-gradio")
    box = component.locator("#qa-input textarea:not([disabled])")
    box.wait_for(timeout=30_000)
    box.fill("How many Mainland Offices does the HKSAR Government have?")
    box.press("Enter")
    link = component.locator('[data-testid="bot"] a[href*="?q="]').last
    link.wait_for(timeout=30_000)
    page.wait_for_function("[...document.querySelectorAll('#qa-gradio [data-testid=bot] a')]"
                           f".some(a => a.href.startsWith('{app_url}/chat/?q=How%20many'))", timeout=5000)
