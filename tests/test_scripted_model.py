"""The generative logic with a scripted model: prompting, checked answers, abstention on "not in the
passages", fallbacks on a failed or broken stream, follow-up rewriting and re-citing a wrong
citation. Seconds, not minutes: the real model's end-to-end tests stay in test_generate.py."""

from __future__ import annotations

import asyncio

import pytest

from qa.answerers import Answerers
from qa.config import Settings
from qa.generate import NOT_FOUND, STATED_ELSEWHERE
from qa.llm import ChatModel, OpenAIChat
from qa.models import Answer
from qa.service import QA

from scripted import Reply, ScriptedChat

OFFICES = "How many Mainland Offices does the HKSAR Government have?"
STATED = "The HKSAR Government has five Mainland Offices [¶3]."


def scripted(service: QA, *replies: Reply | str) -> tuple[QA, ScriptedChat]:
    """A service over the session's index whose language model plays back `replies`."""
    chat = ScriptedChat(list(replies))
    qa = QA(service.settings, answerers=Answerers(service.settings, service.answerer, chat=chat))
    return qa, chat


def test_both_chat_models_satisfy_the_protocol():
    assert isinstance(ScriptedChat([]), ChatModel)
    assert isinstance(OpenAIChat("http://127.0.0.1:9/v1", "m", Settings()), ChatModel)


def test_a_cited_reply_is_checked_and_kept(service):
    qa, chat = scripted(service, STATED)
    answer = qa.ask(OFFICES)
    assert answer.answerer == "generative" and answer.model == "scripted", answer.fallback
    assert [c.paragraph for c in answer.citations] == ["3"] and "five Mainland Offices" in answer.answer
    assert all(c.status == "verified" for c in answer.checks)
    prompt = chat.prompts[0][1]["content"]  # the passages, each under its marker, then the question
    assert "[¶3] (" in prompt and prompt.index(OFFICES) > prompt.index("</passage>")


def test_not_in_the_passages_is_held_back_and_the_stated_answer_quoted(service):
    qa, _ = scripted(service, NOT_FOUND)
    pieces = list(qa.stream(OFFICES))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    assert not any(NOT_FOUND.split()[0] in p for p in pieces[:-1] if isinstance(p, str))
    # the quoted answerer found the sentence that states it: the paper is quoted, not denied
    assert answer.answerer == "extractive" and answer.fallback == STATED_ELSEWHERE
    assert "five Mainland Offices" in answer.answer


def test_a_refusing_model_gives_the_extractive_answer_with_the_reason(service):
    qa, _ = scripted(service, Reply("", fail="the language model failed: HTTP 503"))
    answer = qa.ask(OFFICES)
    assert answer.answerer == "extractive" and answer.fallback == "the language model failed: HTTP 503"
    assert answer.citations[0].paragraph == "3"


def test_a_stream_cut_mid_way_replaces_the_draft_with_the_extractive_answer(service):
    qa, chat = scripted(service, Reply(STATED, cut_after=3))
    pieces = list(qa.stream(OFFICES))
    draft = "".join(p for p in pieces[:-1] if isinstance(p, str))
    answer = pieces[-1]
    assert draft.startswith("The HKSAR Government")  # what came before the cut was shown …
    assert answer.answerer == "extractive" and "connection" in answer.fallback  # … and replaced
    assert chat.closed == 1


def test_a_reply_with_no_verifiable_sentence_falls_back(service):
    qa, _ = scripted(service, "Hong Kong has twelve Mainland Offices [¶3].")  # the paragraph says five
    answer = qa.ask(OFFICES)
    assert answer.answerer == "extractive"
    assert answer.fallback == "no generated sentence could be verified against its citation"


def test_a_wrong_citation_is_moved_to_the_paragraph_that_says_it(service):
    qa, _ = scripted(service, "The HKSAR Government has five Mainland Offices [¶12].")
    answer = qa.ask(OFFICES)
    assert answer.answerer == "generative", answer.fallback
    assert answer.checks[0].cited == ["12"] and answer.checks[0].status == "recited"
    assert answer.checks[0].paragraph == "3" and answer.answer.rstrip().endswith("[¶3]")


HISTORY = [{"role": "user", "content": "When did the Hong Kong/Fujian Co-operation Conference hold its Fourth "
                                       "Plenary Session?"},
           {"role": "assistant", "content": "On 28 June 2023 in Fuzhou. [¶8]"}]
FOLLOW_UP = "How many co-operation items were agreed there?"


def test_a_follow_up_is_rewritten_by_the_model_for_retrieval(service):
    standalone = "How many co-operation items were agreed at the Fourth Plenary Session of the Hong Kong/Fujian " \
                 "Co-operation Conference?"
    qa, chat = scripted(service, standalone, "21 co-operation items were agreed [¶8].")
    answer = qa.ask(FOLLOW_UP, HISTORY)
    assert answer.query == standalone and answer.timing_ms["condense"] >= 0
    assert "USER: " + FOLLOW_UP in chat.prompts[0][1]["content"]  # the rewrite saw the conversation


@pytest.mark.parametrize("rewrite", [
    "The Conference agreed 21 items.",  # an answer, not a question
    "How many co-operation items did Guangdong and Macao agree?",  # names the conversation never used
])
def test_a_rewrite_that_answers_or_brings_in_new_names_is_ignored(service, rewrite):
    qa, _ = scripted(service, rewrite, "21 co-operation items were agreed [¶8].")
    answer = qa.ask(FOLLOW_UP, HISTORY)
    assert answer.query != rewrite


def test_a_failed_rewrite_still_answers(service):
    qa, _ = scripted(service, Reply("", fail="the language model failed: timed out"), STATED)
    answer = qa.ask(FOLLOW_UP, HISTORY)
    assert answer.question == FOLLOW_UP and answer.timing_ms["condense"] >= 0


def test_extractive_answers_never_ask_the_model(service):
    qa, chat = scripted(service, STATED)
    assert qa.ask(OFFICES, generate=False).answerer == "extractive"
    assert chat.prompts == []


def test_a_reader_who_leaves_a_slow_answer_closes_the_model_stream(service):
    qa, chat = scripted(service, Reply(STATED, delay_s=0.05))

    async def read_two() -> list[object]:
        got = []
        pieces = qa.astream(OFFICES)
        async for piece in pieces:
            got.append(piece)
            if len(got) == 2:
                break
        await pieces.aclose()
        return got

    got = asyncio.run(read_two())
    assert len(got) == 2 and all(isinstance(p, str) for p in got)
    assert chat.closed == 1  # the model's stream was closed, not read to its end for nobody
