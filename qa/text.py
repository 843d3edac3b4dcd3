"""One text analyser for everything lexical (BM25, sentence scoring, citation checks), so a term
means the same thing wherever it is compared."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Any

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9\u4e00-\u9fff])|(?<=[。！？；])[」』”’]*\s*")
# "etc." before a capital ends a sentence ("…culture, etc. Both sides signed…"), so it is not here
# a full stop that ends an abbreviation, not a sentence: "Mr.", and those written with inner stops,
# "U.S. District Court", "H.Res. 375", "P.L. 118-31", also in brackets or quotes ("(P.L. 117-169)")
_ABBREV_END = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|No|para|e\.g|i\.e|Cap|Sec|Art|Fig|Vol|vs|cf)\.$|"
                         r"(?:^|[\s(\[\"“‘'])(?:[A-Z][a-z]{0,3}\.){2,}$")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
say says said tell according please paper document mention mentioned named many much
""".split())
QUESTION_WORDS = frozenset("what when where which who whom whose why how many much".split())
# the verbs a question asking yes or no opens with ("Are they …?", "Did it …?")
AUXILIARIES = frozenset("am is are was were do does did has have had can could will would shall should may "
                        "might must".split())
_ZH_ASKING = re.compile(r"幾|几|多少|哪|何|誰|谁|甚麼|什麼|什么|咩|點樣|怎樣|怎样")
# Text addressed to an AI system ("ignore previous instructions…") rather than to a reader
_TO_AI = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?]{0,60}\b(instructions?|prompts?|rules|directions)\b"
    r"|\bsystem prompt\b|\byou are now\b|\b(as|to) an? (AI|language model|assistant|chatbot)\b"
    r"|\b(AI|assistants?|chatbots?|language models?)\b[^.!?]{0,40}\b(must|should|shall)\b[^.!?]{0,40}"
    r"\b(say|answer|reply|respond|cite|state|tell)\b|忽略.{0,10}(指示|指令)", re.I)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _spelled_one_way(_STEMMER.stemWord(word))


# British and American spellings of one word, as one term (a UK paper's "defence", "programme",
# "labour", "centre", "organisation", "catalogue"; the dictionary's and many a question's "defense",
# "program", "labor", "center", "organization", "catalog"): the stem's ending, written one way, the
# same for papers and questions, so a stem that is no such variant only changes its spelling on both
# sides. (ending, written as, letters the stem keeps before it at least)
_SPELLING = (("enc", "ens", 3), ("our", "or", 3), ("tr", "ter", 2), ("br", "ber", 2), ("gramm", "gram", 0),
             ("is", "iz", 3), ("ogu", "og", 0))


@lru_cache(maxsize=1 << 16)
def _spelled_one_way(stem: str) -> str:
    for ending, spelling, before in _SPELLING:
        if stem.endswith(ending) and len(stem) - len(ending) >= before:
            stem = stem[:-len(ending)] + spelling
    return stem


def is_cjk(text: str) -> bool:
    return bool(_CJK_RUN.search(text))


_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_CHAR = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """"zh" for text written in Chinese (an English name or two inside it does not change that),
    else "en". A Chinese character carries about as much as an English word: compared as such."""
    cjk = len(_CJK_CHAR.findall(text))
    words = len(_LATIN_CHAR.findall(text)) / 5
    return "zh" if cjk > words else "en"


def language_code(value: str) -> str:
    """A document's declared language ("zh-HK", "Chinese", "中文", "en-GB") as "zh" or "en"; "" if unknown."""
    v = value.strip().lower()
    if v.startswith(("zh", "chi", "中", "cantonese", "yue")):
        return "zh"
    if v.startswith(("en", "eng", "英")):
        return "en"
    return ""


_SEGMENTER_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def converter(config: str) -> Any:
    """An OpenCC converter between Chinese scripts ("t2s", "s2hk")."""
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    """jieba and a traditional-to-simplified converter, loaded on first use (about a second).
    jieba's dictionary is simplified: Hong Kong's traditional text is segmented through its
    simplified form (內地, 自治區 and 行政長官 come out whole; segmented as written they do not)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _SEGMENTER_LOCK:
        jieba.initialize()
    return jieba


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(max(1, len(run) - 1))]


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """Chinese in simplified characters, character for character (a phrase that would convert to
    another length stays as written), so that positions in it are positions in `text`: Hong Kong
    papers are written in traditional characters and many questions are typed in simplified ones
    (公务员学院 asks about 公務員學院)."""
    if not _CJK_RUN.search(text):
        return text
    out = converter("t2s").convert(text)
    return out if len(out) == len(text) else text


def zh_bigrams(word: str) -> list[str]:
    """The character pairs a Chinese word is indexed as (in simplified characters, as `terms`)."""
    return bigrams(simplified(word))


@lru_cache(maxsize=65536)
def cjk_terms(run: str) -> tuple[str, ...]:
    """A run of Chinese as character bigrams, which match whatever the segmentation, plus the words of
    three or more characters jieba finds (辦事處, 聯席會議, 人民政府), which bigrams alone blur; all in
    simplified characters, so that either script finds the other (and jieba, whose dictionary is
    simplified, segments Hong Kong's traditional text well)."""
    run = simplified(run)
    grams = bigrams(run)
    if len(run) < 3:
        return tuple(grams)
    jieba = _segmenter()
    words = [run[a:b] for _, a, b in jieba.tokenize(run, mode="search") if b - a >= 3]
    return tuple(grams + words)


_ORDINALS = {w: f"{i}{'st' if i % 10 == 1 and i != 11 else 'nd' if i % 10 == 2 and i != 12 else 'rd' if i % 10 == 3 and i != 13 else 'th'}"
             for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
                                   "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
                                   "twentieth".split(), start=1)}


def terms(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased, stemmed English terms ("co-operation" = "cooperation"); ordinals as figures
    ("Fourth" = "4th", as 第四 is read); Chinese text as bigrams and segmented words (`cjk_terms`)."""
    out: list[str] = []
    for token in _WORD.findall(text):
        out.extend(_token_terms(token, keep_stopwords))
    return out


# irregular verbs as their stem, which the stemmer cannot see: "went into effect" answers "go into effect"
_IRREGULAR = {form: base for base, forms in (
    ("go", "went gone"), ("take", "took taken"), ("hold", "held"), ("meet", "met"), ("make", "made"),
    ("give", "gave given"), ("begin", "began begun"), ("become", "became"), ("bring", "brought"),
    ("build", "built"), ("come", "came"), ("choose", "chose chosen"), ("draw", "drew drawn"),
    ("fall", "fell fallen"), ("find", "found"), ("get", "got gotten"), ("grow", "grew grown"), ("keep", "kept"),
    ("know", "knew known"), ("lead", "led"), ("leave", "left"), ("lose", "lost"), ("pay", "paid"),
    ("run", "ran"), ("rise", "rose risen"), ("send", "sent"), ("spend", "spent"), ("stand", "stood"),
    ("teach", "taught"), ("think", "thought"), ("tell", "told"), ("win", "won"), ("write", "wrote written"),
    ("sell", "sold"), ("seek", "sought"), ("buy", "bought"), ("strike", "struck stricken"),
    ("speak", "spoke spoken"), ("see", "saw seen"), ("show", "shown"), ("drive", "drove driven"),
    ("fly", "flew flown"), ("undertake", "undertook undertaken"), ("withdraw", "withdrew withdrawn"),
    ("overtake", "overtook overtaken"), ("arise", "arose arisen"), ("forbid", "forbade forbidden"))
    for form in forms.split()}
_APOSTROPHES = str.maketrans("", "", "'’")
_JOINERS = str.maketrans("", "", "-'’")


@lru_cache(maxsize=1 << 18)
def _token_terms(token: str, keep_stopwords: bool) -> tuple[str, ...]:
    """The terms of one word (cached: a library's words repeat, and indexing reads them all)."""
    if _CJK_RUN.fullmatch(token):
        return cjk_terms(token)
    parts = token.split("-")
    if len(parts) > 1 and all(p[:1].isupper() for p in parts):
        words = [p.lower().translate(_APOSTROPHES) for p in parts]  # Guangdong-Hong Kong-Macao: three places
    else:
        words = [token.lower().translate(_JOINERS)]  # co-operation = cooperation
    return tuple(_ORDINALS.get(w) or _stem(_IRREGULAR.get(w, w)) for w in words if keep_stopwords or w not in STOPWORDS)


def names(text: str) -> list[str]:
    """Terms of the capitalised words, numbers and ordinals a question names (not a sentence's first
    word, capitalised whatever it is: "… in 2025. Since when …"): the things a paragraph must mention
    to answer it. "MHRA's" names the MHRA, "Texas-based" Texas."""
    picked = []
    starts = {a + len(text[a:b]) - len(text[a:b].lstrip()) for a, b in sentences(text)}
    for i, match in enumerate(re.finditer(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text)):
        word, first = re.sub(r"['’]s?$", "", match.group()), i == 0 or match.start() in starts
        if "-" in word and not word[0].isdigit():  # the names in a hyphenated word: Texas-based, EU-issued
            parts = word.split("-")
            named = [p for p in parts if p[:1].isupper() and (len(p) > 2 or p.isupper())]
            word = word if len(named) == len(parts) else " ".join(named)
        if word and ((not first and word[0].isupper()) or word[0].isdigit() or (word.lower() in _ORDINALS and word.lower() != "first")):
            picked.append(word)
    return [t for t in terms(" ".join(picked)) if t not in QUESTION_WORDS]


_NAME_JOINERS = frozenset("of for and the on in".split())


def initials(name: str) -> str:
    """The initials a name is also written by, when the name is wholly capitalised words (joined by
    "of", "for", "and" …): "Department for Work and Pensions" → "DWP", "United Kingdom" → "UK";
    "" for a description ("capital of Yunnan province")."""
    words = name.replace("&", "and").split()
    words = words[1:] if words[:1] == ["The"] else words  # a sentence's article: "The Food Standards Agency" is the FSA
    if not words or not words[0][0].isupper() or not all(w[0].isupper() or w in _NAME_JOINERS for w in words) \
            or any(len(w) > 1 and w.isupper() for w in words):  # "US Congress" is not the UC
        return ""
    return "".join(w[0] for w in words if w[0].isupper())


def initials_of(words: str) -> str:
    """The initials of any words, the small ones between them left out, whatever their case
    ("gross domestic product": GDP): what initials written after a description abbreviate."""
    return "".join(w[0] for w in words.replace("-", " ").split() if w.lower() not in _NAME_JOINERS).upper()


def _spelled(short: str, words: list[str], at: int) -> int | None:
    """Where the words from `at` that a short form spells end, or None: each capital begins a word
    and its small letters continue it, or are the first letters of the small words after it ("Mo":
    the M of "Ministry" and the "o" of "of"); small letters before any capital are small words too."""
    lead = len(short) - len(short.lstrip("abcdefghijklmnopqrstuvwxyz"))
    pieces = [short[:lead]] + re.findall(r"[A-Z][a-z]*", short[lead:])
    for n, piece in enumerate(pieces):
        if n:  # a capital: the word it begins
            if at >= len(words) or words[at][0] != piece[0]:
                return None
            whole = words[at].lower().startswith(piece.lower())
            at, piece = at + 1, "" if whole else piece[1:]
        for letter in piece:
            if at < len(words) and words[at] in _NAME_JOINERS and words[at][0] == letter:
                at += 1
            else:
                return None
    return at


def spells(short: str, name: str) -> bool:
    """Whether a short form written in mixed case is some of the name's words in a row, each by a
    capital and a few of its letters, or the small words between them by their first: "LegCo" is
    the Legislative Council (of "The Legislative Council Panel"), "DfE" the Department for
    Education, "MoD" the Ministry of Defence."""
    words = name.replace("&", "and").split()
    return "".join(re.findall(r"[A-Z][a-z]*", short)) == short and \
        any(_spelled(short, words, at) is not None for at, w in enumerate(words) if w[0] == short[0])


def portfolio_of(short: str, name: str) -> bool:
    """Whether a department's short form, less its head, ends a minister's title that has two
    capitalised words more: "DfT" (the Department for Transport) is the portfolio of the Secretary of
    State for Transport, as "DWP" is of the Secretary of State for Work and Pensions."""
    words = name.replace("&", "and").split()
    return any(_spelled(short[1:], words, at) == len(words) and sum(w[0].isupper() for w in words[:at]) >= 2
               for at in range(1, len(words)))


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, not splitting after "Mr." and the like."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start()]
        if _ABBREV_END.search(before) or match.end() >= len(text.rstrip()) or \
                _middle_initial(before, text, match.end()):
            continue
        end = match.start() + len(match.group(0).rstrip())  # closing quotes stay with their sentence
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _middle_initial(before: str, text: str, at: int) -> bool:
    """Whether the full stop ends a name's middle initial ("President Donald J. Trump"), not a
    sentence that ends in a capital ("… in Annex A. The …": the next word a common one)."""
    words = before.split()[-2:]
    initial = len(words) == 2 and len(words[1]) == 2 and words[1][0].isupper() and words[1][1] == "."
    if not initial or not words[0][:1].isupper():
        return False
    after = _WORD.search(text, at)
    return after is not None and after.group(0).lower() not in STOPWORDS


def addressed_to_ai(text: str) -> bool:
    """Does the text give instructions to an AI system? Documents are data: such text is never
    shown to the language model, and never quoted as an answer."""
    return bool(_TO_AI.search(text))


_ASKING = re.compile(r"^\W*to ask\b|[?？]\W*$", re.I)


def opens_a_question(clause: str, yes_or_no: bool = False) -> bool:
    """Whether a clause asks a question of its own: in Chinese, it holds a question word; in
    English, it opens with one ("which …", "whether …"), or with a small word and one ("in which
    …", "on what date …", "across how many …"), or (`yes_or_no`) with an auxiliary ("are they …")."""
    if is_cjk(clause):
        return bool(_ZH_ASKING.search(clause))
    words = clause.lower().split()[:2]
    asking = (QUESTION_WORDS - {"many", "much"}) | {"whether"}
    return bool(words) and (words[0] in asking or (yes_or_no and words[0] in AUXILIARIES) or (
        len(words) == 2 and words[1] in asking and (words[0] in STOPWORDS or words[1] == "how")))


def is_question(sentence: str) -> bool:
    """Does the sentence ask rather than state ("To ask the Secretary of State, whether …", "…?")?
    A question restates what someone wanted to know; it answers nothing, so it is never quoted as
    an answer."""
    return bool(_ASKING.search(sentence.strip()))

