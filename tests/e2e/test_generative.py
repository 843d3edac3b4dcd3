"""The chat and the embedded client with generated answers: tokens stream in as a draft, and the
checked answer replaces them (slow)."""

from __future__ import annotations

import pytest

from qa.llm_local import MODEL_NAME

from conftest import MODEL_PATIENCE_S, model_steps, short_reply

from .conftest import shot, start_app
from .test_browser import ask_main, last_bot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gen_app_url(tmp_path_factory, llm_url, index_dir):
    """The app answering with the session's model server, as with any OpenAI-compatible server
    (the app starting the bundled model itself is tested in tests/test_generate.py), on a copy of
    the session's index (the app building its own is tested in test_browser.py)."""
    yield from start_app(tmp_path_factory, {"QA_LLM_URL": llm_url, "QA_LLM_MODEL": MODEL_NAME,
                                            "QA_LLM_TIMEOUT_S": str(MODEL_PATIENCE_S)},
                         ready=lambda h: h.get("llm") == "ready", index=index_dir)


def test_the_chat_shows_a_generated_answer_and_who_wrote_it(page, gen_app_url):
    page.goto(gen_app_url + "/chat/")
    page.wait_for_selector("#qa-input textarea")
    assert "language model" in page.locator("#qa-answerer").inner_text()
    ask_main(page, "When was the PPRD Joint Conference held in Guiyang?", 1, timeout_ms=120_000)
    page.wait_for_function("document.querySelector('#qa-answerer').innerText.includes('Last answer')",
                           timeout=120_000)
    note = page.locator("#qa-answerer").inner_text()
    assert "Written by a language model" in note, note
    link = last_bot(page).locator('a[href*="#cite/"]').first
    assert "7 July 2023" in last_bot(page).inner_text() and link.inner_text().strip("[]") == "¶9"
    link.click()
    page.locator("#qa-sources .qa-source.qa-active").wait_for(timeout=10_000)
    shot(page, "10-generative-chat")


def test_the_embedded_client_streams_a_draft_then_the_checked_answer(page, gen_app_url):
    page.goto(gen_app_url + "/embed")
    root = page.locator(".panel")
    # the question tests/test_generate.py asks: the model server's prompt cache has read it once
    root.locator("textarea").fill("貴陽的泛珠三角聯席會議是何時舉行的？")
    root.locator("textarea").press("Enter")
    answer = root.locator(".msg.bot").first
    page.wait_for_selector(".msg.bot.draft", timeout=120_000)  # tokens arrive before the answer is checked
    shot(page, "11-generative-embed-draft")
    answer.locator(".note").wait_for(timeout=120_000)
    assert "draft" not in (answer.get_attribute("class") or "")
    text = answer.inner_text()
    assert "Written by a language model" in text and "¶9" in text and "7月7日" in text
    answer.locator("button.cite").first.click()
    assert "¶9" in root.locator(".src").inner_text()
    shot(page, "12-generative-embed-answer")


def test_stop_ends_an_answer_being_written_keeps_the_conversation_and_frees_the_model(page, gen_app_url, llm_url):
    page.goto(gen_app_url + "/chat/")
    page.wait_for_selector("#qa-input textarea")
    page.locator("#qa-input textarea").fill("What does legal co-operation with the Mainland include?")
    page.locator("#qa-input textarea").press("Enter")
    stop = page.locator("#qa-stop")
    stop.wait_for(state="visible", timeout=60_000)
    assert page.locator("#qa-send").is_disabled()
    steps = model_steps(llm_url)
    stop.click()
    stop.wait_for(state="hidden", timeout=20_000)
    assert page.locator("#qa-send").is_enabled()
    assert "legal co-operation" in page.locator('#qa-chat [data-testid="user"]').first.inner_text()
    # the model is not left reading the stopped answer's prompt (about ten steps, a minute on two cores):
    # after the step in progress and perhaps one more, it answers the next question in one
    short_reply(llm_url)
    assert model_steps(llm_url) - steps <= 4
