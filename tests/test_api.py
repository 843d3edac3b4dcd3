"""The REST API in-process (FastAPI's test client over the real service and index)."""

import json

import pytest
from fastapi.testclient import TestClient

from qa import feedback
from qa.config import Settings
from qa.service import QA
from qa.web import create_app

from conftest import CORPUS


@pytest.fixture(scope="module")
def client(service, tmp_path_factory):
    service.settings.feedback_path = tmp_path_factory.mktemp("fb") / "feedback.jsonl"
    with TestClient(create_app(service)) as c:
        yield c


def test_ask_returns_the_cli_json(client):
    res = client.post("/api/ask", json={"question": "Who is the Mayor of Shanghai named in the paper?"})
    assert res.status_code == 200
    data = res.json()
    assert data["citations"][0]["paragraph"] == "11" and "Gong Zheng" in data["answer"]
    assert set(data) >= {"answer", "citations", "abstained", "timing_ms"}


def test_stream_sends_tokens_then_the_answer(client):
    with client.stream("POST", "/api/ask/stream", json={
        "question": "Who led the delegation from that province?",
        "history": [{"role": "user", "content": "When was the Hong Kong/Fujian Co-operation Conference held?"},
                    {"role": "assistant", "content": "On 28 June 2023 [¶8]."}]}) as res:
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
        body = "".join(res.iter_text())
    events = [block for block in body.split("\n\n") if block.strip()]
    tokens = [json.loads(e.split("data: ", 1)[1]) for e in events if e.startswith("event: token")]
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert events[-1].startswith("event: answer") and len(tokens) > 3
    assert "".join(tokens) == final["answer"]
    assert final["citations"][0]["paragraph"] == "8" and "Guo Ningning" in final["citations"][0]["text"]


@pytest.mark.parametrize("payload,status", [
    ({}, 422), ({"question": 5}, 422), ({"question": ""}, 422), ({"question": "x" * 5000}, 422),
    ({"question": "When?", "history": "nope"}, 422),
    ({"question": "When?", "history": [{"role": "system", "content": "x"}]}, 422),
])
def test_bad_requests_get_4xx_json(client, payload, status):
    for path in ("/api/ask", "/api/ask/stream"):
        res = client.post(path, json=payload)
        assert res.status_code == status, (path, res.text)
        assert "error" in res.json()


def test_malformed_and_oversize_bodies(client):
    res = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert res.status_code == 422 and "error" in res.json()
    res = client.post("/api/ask", content=b"{" + b" " * 100_000 + b"}", headers={"content-type": "application/json"})
    assert res.status_code == 413 and "error" in res.json()


def test_documents_health_and_paragraph(client):
    docs = client.get("/api/documents").json()["documents"]
    assert docs[0]["doc"] == "legco-panel-ca-2024-05-20-regional-cooperation" and docs[0]["paragraphs"] == 15
    assert docs[0]["short"] == ""  # no `short:` label in its front matter: clients fall back to the date
    health = client.get("/healthz").json()
    assert health["index_loaded"] and health["documents"] == 1 and health["chunks"] > 20
    p = client.get("/api/paragraph", params={"doc": docs[0]["doc"], "paragraph": "13",
                                             "label": "Legal co-operation"}).json()
    assert p["text"].startswith("Legal co-operation:")
    assert client.get("/api/paragraph", params={"doc": "x", "paragraph": "1"}).status_code == 404
    assert client.get("/docs").status_code == 200 and "/api/ask" in client.get("/openapi.json").json()["paths"]


def test_feedback_is_stored_durably(client, service):
    before = len(feedback.read(service.settings.feedback_path))
    res = client.post("/api/feedback", json={"question": "q", "answer": "a [¶5]", "vote": "up",
                                             "citations": [{"paragraph": "5"}]})
    assert res.status_code == 200
    rows = feedback.read(service.settings.feedback_path)
    assert len(rows) == before + 1 and rows[-1]["vote"] == "up" and rows[-1]["time"]
    assert client.post("/api/feedback", json={"question": "q", "answer": "a", "vote": "meh"}).status_code == 422
    cross = client.post("/api/feedback", json={"question": "q", "answer": "a", "vote": "down"},
                        headers={"origin": "http://elsewhere.example"})
    assert cross.status_code == 403  # the default "*" opens the read-only chat, nothing more


def test_default_embedding_policy_allows_any_origin_to_read(client):
    res = client.options("/api/ask", headers={"origin": "http://a.example", "access-control-request-method": "POST",
                                              "access-control-request-headers": "content-type"})
    assert res.headers.get("access-control-allow-origin") in ("*", "http://a.example")
    assert client.get("/embed").headers["content-security-policy"] == "frame-ancestors *"
    page = client.get("/embed", params={"title": "<script>x</script>"}).text
    assert "<script>x</script>" not in page
    assert client.get("/widget.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/chat/gradio.js").text.startswith("import(")


def test_allowed_origins_restrict_cors_and_framing(index_dir):
    settings = Settings(index_dir=index_dir, corpus_dir=CORPUS, allowed_origins="https://legco.example")
    with TestClient(create_app(QA(settings))) as c:
        csp = c.get("/embed").headers["content-security-policy"]
        assert csp == "frame-ancestors 'self' https://legco.example"
        ok = c.options("/api/ask", headers={"origin": "https://legco.example", "access-control-request-method": "POST"})
        assert ok.headers.get("access-control-allow-origin") == "https://legco.example"
        bad = c.options("/api/ask", headers={"origin": "https://evil.example", "access-control-request-method": "POST"})
        assert bad.headers.get("access-control-allow-origin") is None


def test_body_limits_are_per_request_so_a_question_cannot_break_an_upload():
    """A question arriving mid-upload used to reset the shared limit to the API's 64 KB."""
    from starlette.responses import JSONResponse

    from conftest import run_async

    from qa.web.server import BodyLimit

    async def reader(scope, receive, send):
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await JSONResponse({"size": size})(scope, receive, send)

    guard = BodyLimit(reader, limit=100, upload_limit=10_000, chat_limit=100, upload_denied=lambda authorization: None)
    sent: dict[str, list] = {"upload": [], "ask": []}

    def scope(path):
        return {"type": "http", "method": "POST", "path": path, "headers": []}

    async def ask_receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def ask_send(message):
        sent["ask"].append(message)

    chunks = iter(range(20))

    async def upload_receive():
        n = next(chunks)
        if n == 5:  # a question is handled while the upload is still arriving
            await guard(scope("/api/ask"), ask_receive, ask_send)
        return {"type": "http.request", "body": b"x" * 50, "more_body": n < 19}

    async def upload_send(message):
        sent["upload"].append(message)

    run_async(guard(scope("/api/documents"), upload_receive, upload_send))
    assert sent["upload"][0]["status"] == 200 and b'"size":1000' in sent["upload"][1]["body"]
    assert sent["ask"][0]["status"] == 200


def test_an_anonymous_upload_is_refused_before_its_body_is_read(index_dir, tmp_path):
    settings = Settings(index_dir=index_dir, corpus_dir=CORPUS, admin_token="s3cret")
    read = []

    def body():
        for _ in range(400):  # 400 MB, if it were all read
            read.append(1)
            yield b"x" * (1024 * 1024)

    with TestClient(create_app(QA(settings))) as c:
        res = c.post("/api/documents", content=body(),
                     headers={"content-type": "multipart/form-data; boundary=x"})
    assert res.status_code == 401 and len(read) <= 2


def test_a_lone_surrogate_is_not_a_server_error(client):
    res = client.post("/api/ask", content='{"question": "How many Mainland Offices \\ud800?"}'.encode(),
                      headers={"content-type": "application/json"})
    assert res.status_code == 200 and "[¶3]" in res.json()["answer"]
    res = client.post("/api/ask", content='{"question": "\\ud800"}'.encode(), headers={"content-type": "application/json"})
    assert res.status_code == 422 and "error" in res.json()


def test_feedback_is_rate_limited_and_a_full_file_rotates(index_dir, tmp_path):
    settings = Settings(index_dir=index_dir, corpus_dir=CORPUS, feedback_path=tmp_path / "fb.jsonl",
                        feedback_per_minute=5, feedback_max_mb=1)
    vote = {"question": "q", "answer": "a" * 40_000, "vote": "up"}
    with TestClient(create_app(QA(settings))) as c:
        codes = [c.post("/api/feedback", json=vote).status_code for _ in range(8)]
        assert codes == [200] * 5 + [429] * 3
    assert len(feedback.read(tmp_path / "fb.jsonl")) == 5
    (tmp_path / "fb.jsonl").write_bytes(b"x" * (1024 * 1024))  # full: one person must not switch votes off
    with TestClient(create_app(QA(settings))) as c:
        res = c.post("/api/feedback", json={**vote, "question": "after"})
    assert res.status_code == 200
    assert (tmp_path / "fb.jsonl.1").stat().st_size == 1024 * 1024  # the oldest kept aside, once
    assert [r["question"] for r in feedback.read(tmp_path / "fb.jsonl")] == ["after"]


@pytest.mark.parametrize("proxies, allowed", [([], 3), (["127.0.0.1"], 6)])
def test_forwarded_for_is_believed_only_from_configured_proxies(index_dir, tmp_path, proxies, allowed):
    """From loopback, six votes each claiming another address: without QA_TRUSTED_PROXIES they are
    all one client (three a minute); behind a configured proxy, six clients."""
    import threading
    import time

    import httpx
    import uvicorn

    from conftest import free_port
    from qa.web.clients import server_config

    settings = Settings(index_dir=index_dir, corpus_dir=CORPUS, feedback_path=tmp_path / "fb.jsonl",
                        feedback_per_minute=3, trusted_proxies=proxies)
    port = free_port()
    server = uvicorn.Server(server_config(create_app(QA(settings)), "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        codes = [httpx.post(f"http://127.0.0.1:{port}/api/feedback", json={"question": "q", "answer": "a", "vote": "up"},
                            headers={"x-forwarded-for": f"203.0.113.{i}"}).status_code for i in range(6)]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert codes.count(200) == allowed and codes.count(429) == 6 - allowed


def test_gradio_takes_no_uploads_and_its_bodies_are_bounded(client):
    res = client.post("/chat/gradio_api/upload", files={"files": ("big.bin", b"x" * 1000)})
    assert res.status_code == 403
    res = client.post("/chat/gradio_api/queue/join", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                      headers={"content-type": "application/json"})
    assert res.status_code == 413


@pytest.mark.parametrize("path, kind", [
    ("/chat/gradio_api/process_recording", "multipart/form-data; boundary=b"),
    ("/chat/gradio_api/component_server", "application/json"), ("/chat/gradio_api/queue/join", "application/json"),
    ("/api/ask", "application/json"), ("/v1/chat/completions", "application/json"), ("/mcp", "application/json")])
def test_a_chunked_body_over_the_limit_gets_a_json_413_on_every_route(client, path, kind):
    """No length given, so the limit is found while reading: whatever the route makes of a body
    cut short, the client is told it was too large."""
    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    res = client.post(path, content=chunks(), headers={"content-type": kind})
    assert res.status_code == 413 and "over" in res.json()["error"]


def test_documents_from_papers_are_shown_as_text_in_the_chat():
    from qa.models import Answer, Citation
    from qa.web.render import answer_markdown

    hostile = ('<a href="https://evil.example" style="position:fixed;inset:0;opacity:0">x</a> '
               '<img src="https://evil.example/p.png"> ![t](https://evil.example/t.png) '
               '<span style="background:url(https://evil.example/c)">y</span>')
    cite = Citation("d", "T", "3", "", hostile, 1.0, marker="[¶3]")
    text = answer_markdown(Answer(f"{hostile} [¶3]", [cite], False))
    assert "<" not in text and "](https://" not in text and "https://" not in text
    assert "[\\[¶3\\]](#cite/d/3///" in text  # the link keeps the quoted words, encoded


def test_a_lead_line_and_a_list_render_as_markdown_and_quotes_stay_text():
    from qa.models import Answer, Citation, Item
    from qa.web.render import answer_markdown, sources_html

    hostile = "**bold** <b>x</b> [l](https://evil.example)"
    cites = [Citation("d", "T", "7", "", "in Chongqing", 1.0, marker="[¶7]"),
             Citation("d", "T", "9", "", hostile, 1.0, marker="[¶9]")]
    answer = Answer(f"2 meetings:\n\n- **Chongqing** (11 May 2023): in Chongqing [¶7]\n- **Guiyang**: {hostile} [¶9]",
                    cites, False, items=[Item("Chongqing", "in Chongqing", "[¶7]")])
    lines = answer_markdown(answer).split("\n")
    assert lines[2].startswith("- **Chongqing** ") and "(#cite/d/7///in%20Chongqing)" in lines[2]
    assert lines[3].startswith("- **Guiyang**") and "\\*\\*bold\\*\\*" in lines[3]
    assert "<b>" not in lines[3] and "](https://" not in lines[3]
    lead = answer_markdown(Answer("**22 February 2023** [¶7]\n\nquote [¶7]", cites[:1], False))
    assert lead.startswith("**22 February 2023** [\\[¶7\\]](#cite/")
    near = Answer("The paper mentions X [¶9] but gives no budget for it.", [], True, nearby=cites[1:])
    assert answer_markdown(near).startswith("*The paper mentions X [") and "#cite/d/9" in answer_markdown(near)
    assert 'data-unit="d#9"' in sources_html(near)  # the paragraphs it speaks of, in the panel


def test_api_docs_load_nothing_from_outside(client):
    for page in ("/docs", "/redoc"):
        html_text = client.get(page).text
        assert "cdn.jsdelivr" not in html_text and "fonts.googleapis" not in html_text
        for ref in __import__("re").findall(r'(?:src|href)="([^"]+)"', html_text):
            assert ref.startswith("/"), ref
            assert client.get(ref).status_code == 200, ref


def test_a_paper_can_be_read_whole_with_its_paragraph_numbers(client):
    from conftest import DOC

    page = client.get(f"/read/{DOC}")
    assert page.status_code == 200 and "Strengthening Regional Co-operation with the Mainland" in page.text
    assert 'id="p-3"' in page.text and 'id="p-13-Legal-co-operation"' in page.text
    assert page.text.index('id="p-2"') < page.text.index('id="p-3"') < page.text.index('id="p-15"')
    assert client.get("/read/nope").status_code == 404
    answer = client.post("/api/ask", json={"question": "How many Mainland Offices does the HKSAR Government have?"})
    assert answer.status_code == 200
    from qa.web.render import sources_html
    from qa.models import Answer, Citation

    card = sources_html(Answer("x [¶3]", [Citation(DOC, "T", "3", "", "q", 1.0, marker="[¶3]")], False))
    assert f'href="/read/{DOC}#p-3"' in card


def test_ask_takes_filters(client):
    from conftest import DOC

    ok = client.post("/api/ask", json={"question": "How many Mainland Offices does the HKSAR Government have?",
                                       "filters": {"documents": [DOC], "since": "2024-05", "until": "2024"}})
    assert ok.status_code == 200 and ok.json()["scope"] == [DOC] and "[¶3]" in ok.json()["answer"]
    none = client.post("/api/ask", json={"question": "How many offices?", "filters": {"since": "2030"}})
    assert none.status_code == 422 and "no indexed paper is dated from 2030" in none.json()["error"]
    bad = client.post("/api/ask", json={"question": "How many offices?", "filters": {"until": "May 2024"}})
    assert bad.status_code == 422 and "until" in bad.json()["error"]


def test_long_histories_in_flight_do_not_stall_a_small_question(service):
    """Four conversations of 20,000 hostile characters each, in flight at once, over a real server:
    another user's small question still answers within a second or so (it took 15.9 s when a
    pasted essay was embedded whole, and a citation pattern backtracked on runs of brackets)."""
    import threading
    import time

    import httpx
    import uvicorn

    from conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/api/ask"
    try:
        while not server.started:
            time.sleep(0.05)
        essays = ["[" * 20_000, "¶[" * 10_000, "深圳合作" * 4_000, "(¶" * 10_000]  # each within the body limit
        stop, codes = threading.Event(), []

        def attack(essay: str) -> None:
            history = [{"role": "user", "content": essay}, {"role": "assistant", "content": "Five [¶3]."}]
            while not stop.is_set():
                res = httpx.post(url, json={"question": "And where are they?", "history": history}, timeout=60)
                codes.append(res.status_code)

        attackers = [threading.Thread(target=attack, args=(e,)) for e in essays]
        for t in attackers:
            t.start()
        time.sleep(1.0)  # all four in flight
        took = []
        for _ in range(3):
            t0 = time.perf_counter()
            res = httpx.post(url, json={"question": "How many Mainland Offices are there?"}, timeout=60)
            took.append(time.perf_counter() - t0)
            assert res.status_code == 200 and "[¶3]" in res.json()["answer"]
        stop.set()
        for t in attackers:
            t.join(timeout=60)
        assert codes and set(codes) == {200}
        assert sorted(took)[1] < 1.5, took  # the median; was 15.9 s
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_part_names_are_chinese_in_the_zh_hk_interface_only():
    """A written answer's parts ("Answer ¶4", "Annex A ¶1") read in Chinese in the zh-HK chat,
    sources panel and source list; the answer's stored data and the English interface keep them."""
    from qa.models import Answer, Citation
    import re

    from qa.web.render import answer_markdown, part_name, sources_html

    cites = [Citation("lcq5-2023", "LCQ5: Staff", "4", "", "forty staff", 1.0, date="2023-12-01",
                      marker="[lcq5-2023 Answer ¶4]", part="Answer"),
             Citation("lcq5-2023", "LCQ5: Staff", "1", "", "the list", 1.0, date="2023-12-01",
                      marker="[lcq5-2023 Annex A ¶1]", part="Annex A")]
    answer = Answer("forty staff [lcq5-2023 Answer ¶4]; the list [lcq5-2023 Annex A ¶1]", cites, False)
    labels = {"lcq5-2023": "2023-12-01"}
    shown = {lang: re.sub(r"\(#cite/[^)]*\)", "", answer_markdown(answer, labels, lang)).replace("\\", "")
             for lang in ("zh", "en")}  # what is read: the links' targets keep the stored names
    zh, en = shown["zh"], shown["en"]
    assert "[2023-12-01 答覆 ¶4]" in zh and "[2023-12-01 附件 A ¶1]" in zh and "· 附件 A ¶1" in zh
    assert "Answer" not in zh and "Annex" not in zh
    assert "[2023-12-01 Answer ¶4]" in en and "· Annex A ¶1" in en
    assert "附件 A ¶1" in sources_html(answer, "zh") and "Annex A ¶1" in sources_html(answer, "en")
    assert part_name("Appendix 2", "zh") == "附錄 2" and part_name("Question", "zh") == "問題"
    assert answer.to_json()["citations"][1]["part"] == "Annex A"
