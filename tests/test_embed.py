"""The embedding models as the questions reach them: a question is read up to a bounded length."""

from qa.embed import QUERY_TOKENS, get_embedder


def test_an_essay_is_read_up_to_its_last_tokens_where_the_question_is():
    e5 = get_embedder("e5-small")
    question = "Where are the Mainland Offices?"
    for essay in ["[" * 20_000, "¶" * 20_000, "深圳合作" * 5_000, "word " * 4_000]:
        clipped = e5._clipped(f"{essay} {question}")
        assert clipped.endswith(question)
        assert QUERY_TOKENS - 8 <= e5._model.token_count(clipped, True) <= QUERY_TOKENS
    assert e5._clipped(question) == question


def test_a_clipped_question_still_finds_what_it_asks():
    e5 = get_embedder("e5-small")
    asked, essay = "How many Mainland Offices are there?", "[" * 20_000 + " "
    vectors = e5.queries([asked, essay + asked, "What is the weather in Paris?"])
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
