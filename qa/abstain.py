"""What an answer says when the papers do not answer: "the paper does not say", and for a near miss,
what the papers do speak of and, in the question's own words, what they do not say:

    The paper mentions the Northern Metropolis development [¶5] but does not say how much it costs.

No kind of answer is guessed from the question's wording: the missing detail is the question itself,
turned into a clause ("how soon a recruit can leave"), or quoted when it does not turn."""

from __future__ import annotations

import re
from typing import Callable

from .cite import marker
from .models import Answer, Chunk, Citation
from .query import Query
from .retrieve import Retrieval
from .text import STOPWORDS, terms

ABSTAIN = {
    "en": "The paper does not say. None of the indexed paragraphs answers this question.",
    "zh": "文件沒有提及這一點：已索引的段落都沒有回答這個問題。",
}
ABSTAIN_MANY = {
    "en": "The papers do not say. None of the paragraphs of the {n} papers searched answers this question.",
    "zh": "所搜尋的 {n} 份文件都沒有提及這一點：沒有段落回答這個問題。",
}

# a question limited to some papers: which were searched, and that the rest were not
ABSTAIN_SCOPED = {
    "en": "The paper does not say. None of the paragraphs of “{title}” answers this question.",
    "zh": "文件沒有提及這一點：《{title}》沒有段落回答這個問題。",
}
ABSTAIN_SCOPED_MANY = {
    "en": "The papers do not say. None of the paragraphs of the {n} papers chosen answers this question.",
    "zh": "所選的 {n} 份文件都沒有提及這一點：沒有段落回答這個問題。",
}
WIDEN = {"en": "Search all papers to look further.", "zh": "可改為搜尋所有文件，再找找看。"}


def papers_searched(query: Query, retrieval: Retrieval) -> int:
    """Papers searched, a bilingual pair (the same paper in English and Chinese) counted once, as
    the picker lists it: "the paper does not say" must not become "the 2 papers" for one paper."""
    lex = retrieval.lexical
    return len({lex.paper(d) for d in query.scope}) if query.scope else lex.papers


def narrowed(query: Query, retrieval: Retrieval) -> bool:
    """Whether the question was limited to fewer papers than the library holds (then an
    abstention says so, and that searching them all may find more)."""
    return bool(query.scope) and papers_searched(query, retrieval) < retrieval.lexical.papers


def _title(query: Query, retrieval: Retrieval) -> str:
    """The title of the one paper a question was limited to, in the question's language when the
    paper has that version."""
    lex = retrieval.lexical
    docs = sorted(query.scope)
    own = [d for d in docs if lex.languages.get(d) == query.lang]
    doc = (own or docs)[0]
    return next((u.title for u in lex.doc_units(doc) if u.title), doc)


def abstention(query: Query, retrieval: Retrieval) -> str:
    """"The paper does not say" for one paper; for a library, how many papers were searched; for
    a question limited to some papers, which ones, and that the others were not searched."""
    n = papers_searched(query, retrieval)
    if narrowed(query, retrieval):
        said = ABSTAIN_SCOPED[query.lang].format(title=_title(query, retrieval)) if n <= 1 \
            else ABSTAIN_SCOPED_MANY[query.lang].format(n=n)
        return f"{said}{'' if query.lang == 'zh' else ' '}{WIDEN[query.lang]}"
    return ABSTAIN[query.lang] if n <= 1 else ABSTAIN_MANY[query.lang].format(n=n)


# -- the question as the thing not said ----------------------------------------------------------
_LEAD_IN = re.compile(r"^(?:(?:please|kindly|can you|could you|would you)\s+)*(?:(?:tell|show|give) me|"
                      r"i(?:'d| would) like to know|do you know|i want to know)\s*[,:]?\s*|"
                      r"^(?:according to|in|under|per|from|based on) (?:the |this |that )?[^,?]{0,80}?,\s*", re.I)
_WH = r"(?:how (?:many|much|long|soon|often|far|large|big)|what|which|when|where|who|whom|whose|why|how)"
_BE = {"is": "is", "are": "are", "was": "was", "were": "were"}
_AUX = r"(?:is|are|was|were|will|would|can|could|should|shall|may|might|must|has|have|had|do|does|did)"
_PARTICIPLE = re.compile(r"^(?:\w+(?:ed|en)|held|made|paid|given|spent|sent|built|set|signed|won|lost|taken|"
                         r"brought|kept|met|cut|put|led|run|sold|taught|told|granted|awarded)\b", re.I)


def clause(question: str) -> str:
    """An English question as the clause a sentence can say it does not answer: "How many staff
    work there?" → "how many staff work there"; "Who is the chair of the panel?" → "who the chair
    of the panel is"; "Are there any plans to …?" → "whether there are any plans to …". "" when
    the question does not turn that simply (then it is quoted)."""
    q = _LEAD_IN.sub("", question.strip()).strip().rstrip("?？. ").strip()
    if not q or len(q) > 160:
        return ""
    first = q.split()[0].lower()
    if re.match(rf"^{_AUX}$", first):  # a yes/no question: "Is there …", "Did the Government …"
        rest = q.split(None, 1)[1] if " " in q else ""
        if first in _BE and rest.lower().startswith(("there ", "it ")):
            head, _, tail = rest.partition(" ")
            return f"whether {head.lower()} {first} {tail}".strip()
        return ""
    m = re.match(rf"^({_WH}(?: [\w'’/-]+){{0,4}}?) ({_AUX}) (.+)$", q, re.I)
    if not m:
        m2 = re.match(rf"^({_WH})\b(.*)$", q, re.I)  # "Who leads the initiative": no inversion
        return (m2.group(1).lower() + m2.group(2)) if m2 and not re.match(rf"^ {_AUX}\b", m2.group(2), re.I) else ""
    wh, aux, rest = m.group(1), m.group(2).lower(), m.group(3)
    wh = wh[0].lower() + wh[1:]
    if rest.lower().startswith(("there ", "there's")):  # "how many offices are there in …"
        return f"{wh} there {aux} {rest[6:]}".strip()
    if re.match(r"^how (?:many|much)\b", wh, re.I) and len(wh.split()) > 2 and _PARTICIPLE.match(rest):
        return f"{wh} {aux} {rest}"  # "how many agreements were signed": the subject is asked for
    first_word = rest.split()[0]
    if first_word.islower() and (_PARTICIPLE.match(first_word) or first_word.endswith("ing") or first_word in ("been", "done")):
        return f"{wh} {aux} {rest}"  # the question word is the subject: "what is being done", "who was leading"
    if aux in _BE:
        words = rest.split()
        verb = next((k for k, w in enumerate(words) if k and w.islower() and (_PARTICIPLE.match(w) or w.endswith("ing"))),
                    None)
        if verb is not None:  # "when the PPRD Joint Conference was held in Guiyang"
            return " ".join([wh, *words[:verb], aux, *words[verb:]])
        return f"{wh} {rest} {aux}"  # "who the chair of the panel is"
    return ""


def not_said(question: str, lang: str) -> str:
    """What the papers do not say, in the question's own words: "say how soon …", or, when the
    question does not turn into a clause, "answer “…?”"."""
    if lang == "zh":
        return f"「{question.strip().rstrip('？?')}」"
    turned = clause(question)
    return f"say {turned}" if turned else f"answer “{question.strip()}”"


def subject_of(question: str, paragraph: str, common: Callable[[str], bool] = lambda t: False) -> str:
    """The longest run of the question's words that the paragraph also uses, as the paragraph
    writes it ("the Northern Metropolis development"); not a word every paper uses ("Hong")."""
    words = re.findall(r"[\w/'’-]+", question)[:60]
    low = paragraph.lower()
    for size in range(min(6, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            while run and run[0].lower() in STOPWORDS:
                run = run[1:]
            while run and run[-1].lower() in STOPWORDS:
                run = run[:-1]
            if not run or not [t for w in run for t in terms(w) if not common(t)]:
                continue
            m = re.search(r"(?<![\w])" + r"\W+".join(re.escape(w) for w in run) + r"(?![\w])", paragraph, re.I)
            if m and (len(run) > 1 or run[0][:1].isupper()):
                lead = "the " if low[max(0, m.start() - 4):m.start()] == "the " else ""
                return lead + paragraph[m.start():m.end()]
    return ""


def not_stated(query: Query, retrieval: Retrieval, chunks: list[Chunk], answerer: str = "extractive") -> Answer:
    """"The paper mentions X [¶5] but does not say how many Y …": an abstention that points at the
    paragraphs about the subject (`nearby`), for the extractive and the generative answerer alike."""
    lex = retrieval.lexical
    subject = subject_of(query.question, chunks[0].text, lambda t: lex.share(t) > 1 / 3) if chunks else ""
    if not chunks or (query.lang == "en" and not subject):  # nothing the papers say is its subject
        return Answer(abstention(query, retrieval), [], True, answerer)
    many = papers_searched(query, retrieval) > 1
    markers = " ".join(dict.fromkeys(marker(lex, c) for c in chunks))
    nearby = [Citation.of(c, "", 0.0, marker(lex, c)) for c in chunks]
    missing = not_said(query.question, query.lang)
    if query.lang == "zh":
        text = f"{'這些文件' if many else '文件'}有相關段落 {markers}，但沒有說明{missing}。"
    else:
        verb = "do not" if many else "does not"
        text = f"{'The papers mention' if many else 'The paper mentions'} {subject} {markers} but {verb} {missing}."
    if narrowed(query, retrieval):
        text += ("" if query.lang == "zh" else " ") + WIDEN[query.lang]
    return Answer(text, [], True, answerer, nearby=nearby)


def unanswered_part(query: Query, many: bool) -> str:
    """One ask of a question that asks two things, which the papers do not answer."""
    if query.lang == "zh":
        return f"{'這些文件' if many else '文件'}沒有說明{not_said(query.question, 'zh')}。"
    return f"{'The papers do not' if many else 'The paper does not'} {not_said(query.question, 'en')}."
