"""`GET /metrics`: Prometheus text that moves when questions are asked, and request ids."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from qa.web import create_app

OFFICES = "How many Mainland Offices does the HKSAR Government have?"


@pytest.fixture(scope="module")
def http(service):
    with TestClient(create_app(service), base_url="http://127.0.0.1") as c:
        yield c


def samples(http) -> dict[tuple[str, tuple], float]:
    res = http.get("/metrics")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(res.text):
        assert family.name.startswith("qa_"), family.name
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(data, name: str, **labels: str) -> float:
    return data.get((name, tuple(sorted(labels.items()))), 0.0)


def test_answers_by_outcome_stages_and_routes_move(http):
    before = samples(http)
    assert http.post("/api/ask", json={"question": OFFICES}).status_code == 200
    assert http.post("/api/ask", json={"question": "What was Hong Kong's GDP growth in 2023?"}).status_code == 200
    assert http.post("/api/ask", json={"question": "   "}).status_code == 422
    assert http.post("/v1/chat/completions", json={
        "model": "legco-qa", "messages": [{"role": "user", "content": OFFICES}]}).status_code == 200
    after = samples(http)
    assert value(after, "qa_answers_total", outcome="answered", answerer="extractive") - \
        value(before, "qa_answers_total", outcome="answered", answerer="extractive") == 2
    assert value(after, "qa_answers_total", outcome="abstained", answerer="extractive") - \
        value(before, "qa_answers_total", outcome="abstained", answerer="extractive") == 1
    assert value(after, "qa_answers_total", outcome="refused", answerer="none") - \
        value(before, "qa_answers_total", outcome="refused", answerer="none") == 1
    assert value(after, "qa_stage_duration_seconds_count", stage="retrieve") - \
        value(before, "qa_stage_duration_seconds_count", stage="retrieve") == 3
    assert value(after, "qa_http_request_duration_seconds_count", method="POST", route="/api/ask", status="200") - \
        value(before, "qa_http_request_duration_seconds_count", method="POST", route="/api/ask", status="200") == 2
    assert value(after, "qa_http_request_duration_seconds_count", method="POST", route="/v1/chat/completions",
                 status="200") >= 1
    assert value(after, "qa_index_documents") == 1 and value(after, "qa_index_chunks") > 20


def test_route_labels_are_templates_not_paths(http):
    http.get("/api/jobs/abc123")  # admin off: 404, but the label is the route's template
    http.get("/no/such/page/12345")
    text = http.get("/metrics").text
    assert 'route="/api/jobs/{job_id}"' in text and "abc123" not in text
    assert "12345" not in text and 'route="other"' in text


def test_method_labels_are_the_known_methods_whatever_a_client_sends(http):
    before = len(samples(http))
    for n in range(12):
        http.request(f"BREW{n}", "/api/ask")
        http.request(f"X{n}", "/no/such/page")
    text = http.get("/metrics").text
    assert "BREW" not in text and 'method="other"' in text
    assert len(samples(http)) - before <= 40  # a handful of new series (buckets included), not one per method


def test_request_id_comes_back_and_a_sane_client_id_is_kept(http):
    res = http.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", res.headers["x-request-id"])
    assert http.get("/healthz", headers={"X-Request-ID": "trace-42.a"}).headers["x-request-id"] == "trace-42.a"
    hostile = http.get("/healthz", headers={"X-Request-ID": "x" * 300}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", hostile)
