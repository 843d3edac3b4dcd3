"""Structured logs: JSON lines with the request id; question text only when asked for."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from qa import logs
from qa.web import create_app

OFFICES = "How many Mainland Offices does the HKSAR Government have?"


@pytest.fixture()
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.mark.parametrize("with_questions", [False, True])
def test_json_logs_carry_the_request_id_and_keep_questions_out(service, json_lines, with_questions):
    listener = logs.answer_logger(with_questions)
    service.listeners.append(listener)
    try:
        with TestClient(create_app(service), base_url="http://127.0.0.1") as http:
            res = http.post("/api/ask", json={"question": OFFICES}, headers={"X-Request-ID": "req-1"})
    finally:
        service.listeners.remove(listener)
    rid = res.headers["x-request-id"]
    rows = json_lines()
    answer = [r for r in rows if r["logger"] == "qa.answers"]
    access = [r for r in rows if r["logger"] == "qa.http"]
    assert rid == "req-1" and answer and access
    assert answer[0]["request_id"] == rid and answer[0]["outcome"] == "answered"
    assert answer[0]["citations"] == ["[¶3]"] and answer[0]["total_ms"] > 0
    assert access[-1]["request_id"] == rid and access[-1]["status"] == 200 and access[-1]["duration_ms"] > 0
    logged = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    assert ("Mainland Offices does" in logged) is with_questions


def test_text_format_is_one_line_with_fields():
    record = logging.LogRecord("qa.http", logging.INFO, "", 0, "GET %s", ("/healthz",), None)  # as observe.py logs
    record.status = 200
    token = logs.request_id.set("abc")
    try:
        line = logs.TextFormatter().format(record)
    finally:
        logs.request_id.reset(token)
    assert line == "INFO qa.http: GET /healthz status=200 request_id=abc"
