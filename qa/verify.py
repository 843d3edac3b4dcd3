"""Checking a generated answer's citations against the paragraphs they name.

A generated answer is split into claims (sentences) with the markers that follow them. Each claim
is checked against its cited paragraph: its numbers and months must be there, and enough of its key
terms (weighted by rarity), or, for paraphrase, its dense similarity to the paragraph must be high
with at least some terms shared. Chinese claims are carried over to English terms with the same
dictionary that serves Chinese questions. A claim that fails is re-cited to the passage given to the
model that does support it, or dropped. The surviving claims are re-written with canonical markers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from .cite import LOOSE, REFERENCE, strip_markers
from .config import Settings
from .models import Check, Chunk, Citation
from .dates import MONTHS, NUMBER_WORDS as _NUMBER_WORDS, arabic, date_words
from .gloss import segment, translate
from .lexical import Lexical
from .text import STOPWORDS, is_cjk, language_of, sentences, simplified, terms

if TYPE_CHECKING:
    from .embed import Embedder

_ZH_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_WORDED = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](one|two|three|four|five|"
                     r"six|seven|eight|nine)\b|\b[a-z]+\b", re.I)
_MONTHS = {m.lower() for m in MONTHS}


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    checks: list[Check] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(c.status != "unsupported" for c in self.checks)


@dataclass
class _Claim:
    text: str
    refs: list[tuple[str, str, str]]  # (document label or "", paragraph, bullet label or "")


def split_claims(answer: str) -> list[_Claim]:
    """Sentences with the citations that follow them. Markers cite the run of sentences since the
    previous marker, as in "A. B. [¶5]"."""
    answer = unicodedata.normalize("NFKC", answer).replace("\n", " ")
    claims: list[_Claim] = []
    last = 0
    for m in LOOSE.finditer(answer):
        span = answer[last:m.start()]
        refs = [(r.group(1) or "", r.group(2), r.group(3) or "") for r in REFERENCE.finditer(m.group(0))]
        pieces = _sentences(span)
        if pieces:
            claims.extend(_Claim(p, list(refs)) for p in pieces)
        elif claims:  # "[¶5][¶6]" or "A [¶5]. [¶6]": more citations for the same claim
            claims[-1].refs.extend(r for r in refs if r not in claims[-1].refs)
        last = m.end()
    # sentences after the last marker cite nothing; the verifier looks for their support
    claims.extend(_Claim(p, []) for p in _sentences(answer[last:]))
    return [c for c in claims if c.text.strip(" .。,，;；:：")]


def _sentences(span: str) -> list[str]:
    span = span.strip()
    if not span or not span.strip(" .。,，;；:：、"):
        return []
    if is_cjk(span):
        return [s.strip() for s in _ZH_SENTENCE.findall(span) if s.strip(" 。，")]
    return [span[a:b].strip() for a, b in sentences(span)]


def numbers(text: str) -> set[str]:
    """Numbers and month names a claim asserts, normalised so "twenty-three", "23" and 二十三 agree."""
    text = text.replace(",", "") if re.search(r"\d,\d{3}", text) else text
    if is_cjk(text):  # 2023年3月21日 → 2023 March 21; 二十三 → 23
        rest, words = date_words(text)
        text = " ".join(words) + " " + rest
    out = set(re.findall(r"\d+(?:\.\d+)?", text))
    for m in _WORDED.finditer(text):
        low = m.group(0).lower()
        if m.group(1):  # twenty-three
            out.add(str(_NUMBER_WORDS[m.group(1).lower()] + _NUMBER_WORDS[m.group(2).lower()]))
        elif low in _NUMBER_WORDS and low not in ("one", "zero"):  # "one of the…" asserts no number
            out.add(str(_NUMBER_WORDS[low]))
        elif low in _MONTHS:
            out.add(low)
    return out


_TOKEN = re.compile(r"\d+|[A-Za-z]+(?:-[A-Za-z]+)*|[^\sA-Za-z\d]")
_COUNTED_ZH = re.compile(r"(\d{1,15})\s{0,3}[項项份個个套次名位間间家所條条件宗批]\s*([\u4e00-\u9fff]{1,8})")
_ZH_STOP = re.compile(r"[的在於于及和與与並并及或，。、；：]")
_WINDOW = 8
# "Yes, …", "According to the passage, …": asserts nothing of its own
_LEAD_IN = re.compile(r"^(?:(?:yes|no|indeed)\b[,.]?\s*|(?:according to|as stated in|based on) (?:the )?"
                      r"(?:passages?|paper|documents?|text)[^,]*,\s*|(?:the )?(?:passages?|paper) (?:says|states|mentions) (?:that )?)",
                      re.I)


def counted(claim: str) -> list[tuple[str, tuple[str, ...]]]:
    """What each number in a claim counts: "47 items" → ("47", ("item",)); 3份合作協議 → ("3",
    terms of "agreement"). A number is only true of the thing it counts."""
    out: list[tuple[str, tuple[str, ...]]] = []
    if is_cjk(claim):
        rest = arabic(claim)
        for m in _COUNTED_ZH.finditer(rest):
            phrase = _ZH_STOP.split(m.group(2))[0]
            words = segment(phrase) if phrase else []
            head = translate(words[-1]).weights if words else {}  # the head noun comes last in Chinese
            if head:
                out.append((m.group(1), tuple(head)))
        return out
    tokens = _TOKEN.findall(claim.replace(",", "") if re.search(r"\d,\d{3}", claim) else claim)
    for i, token in enumerate(tokens):
        number = token if token.isdigit() else next(iter(numbers(token) - _MONTHS), "")
        if not number or re.fullmatch(r"(19|20)\d\d", number):
            continue  # not a number, or a year
        phrase: list[str] = []
        for word in tokens[i + 1:i + 4]:
            if not word[0].isalpha() or word.lower() in STOPWORDS or numbers(word):
                break
            phrase.append(word.lower())
        if not phrase or phrase[0] in _MONTHS:
            continue
        # the counted thing is the noun of the phrase: "five regional co-operation mechanisms"
        # counts mechanisms, "47 items covering…" counts items
        head = next((w for w in phrase if w.endswith("s") and not w.endswith("ss") and len(w) > 3), phrase[0])
        out.append((number, tuple(terms(head))))
    return out


def _stated_with(number: str, nouns: tuple[str, ...], unit: Chunk) -> bool:
    """Does the paragraph give this number within a few words of what the claim says it counts?"""
    tokens: list[str] = []
    for word in re.findall(r"\d+|[A-Za-z]+(?:-[A-Za-z]+)*", unit.text.replace(",", "")):
        tokens.append(word if word.isdigit() else (next(iter(numbers(word)), "") or "".join(terms(word)[:1])))
    wanted = set(nouns)
    return any(tok == number and wanted & set(tokens[max(0, i - _WINDOW):i + _WINDOW + 1])
               for i, tok in enumerate(tokens))


def _paragraph_numbers(chunk: Chunk) -> set[str]:
    """Numbers a paragraph states (its own ¶ number is not one of them, nor its paper's date: "the
    offices closed in 2024" is not supported by a paragraph of a 2024 paper that says no year)."""
    return numbers(" ".join([chunk.text, *chunk.heading_path]))


# Negation is closed-class grammar, not a wording of questions: a claim that denies something
# ("Hong Kong has no Mainland Offices") is not supported by a sentence that only asserts it
_NEGATION_EN = re.compile(r"\b(?:no|not(?! only)|never|none|nothing|neither|nor|cannot|without)\b|n't\b", re.I)
_NEGATION_ZH = re.compile(r"沒有|没有|並無|并无|並非|并非|從未|从未|未有|未曾|不是|不會|不会|不能|無法|无法|毋須|毋须")


def negates(text: str) -> bool:
    return bool(_NEGATION_ZH.search(text) if is_cjk(text) else _NEGATION_EN.search(text))


class Verifier:
    def __init__(self, settings: Settings, lexical: Lexical,
                 similarity: Callable[[str, list[Chunk]], list[float]] | None = None) -> None:
        self.settings = settings
        self.lex = lexical
        self.similarity = similarity

    def claim_groups(self, claim: str, unit: Chunk | None = None) -> list[tuple[str, ...]]:
        """The claim's content words, each as the terms any of which would render it; against a
        paragraph written in Chinese, a Chinese claim's own words."""
        if is_cjk(claim) and unit is not None and language_of(unit.text) == "zh":
            return [(t,) for t in dict.fromkeys(terms(claim)) if is_cjk(t)]
        if is_cjk(claim):
            # the dictionary's English for each word, plus the claim's own bigrams where a paper
            # written in Chinese uses them
            return list(translate(claim).groups) + [(t,) for t in terms(claim) if is_cjk(t) and self.lex.known(t)]
        return [(t,) for t in dict.fromkeys(terms(claim))]

    def coverage(self, groups: list[tuple[str, ...]], unit: Chunk) -> float:
        present = self.lex.terms_of(unit.unit) or set(terms(unit.text))
        present = present | set(terms(" ".join(unit.heading_path)))
        written = simplified(" ".join([unit.text, *unit.heading_path]))  # a lone character: 15名
        stated = _paragraph_numbers(unit)  # "5" in a claim is "five" in the paragraph
        total = covered = 0.0
        for group in groups:
            # a word no paper uses at all ("Mars") weighs as much as a rare one
            weight = max((self.lex.weight(t) if self.lex.known(t) else 3.0) for t in group)
            total += weight
            if any(t in present or (len(t) == 1 and is_cjk(t) and t in written) for t in group) \
                    or numbers(" ".join(group)) & stated:
                covered += weight
        return covered / total if total else 1.0

    def check(self, claim: str, unit: Chunk, sim: float) -> tuple[bool, float, str]:
        missing = numbers(claim) - _paragraph_numbers(unit)
        cov = self.coverage(self.claim_groups(claim, unit), unit)
        if missing:
            return False, cov, f"{', '.join(sorted(missing))} not in ¶{unit.paragraph}"
        if is_cjk(claim) and language_of(unit.text) == "zh":
            # a Chinese paragraph counts in Chinese: the number, its measure word and the thing
            stated = arabic(unit.text)
            for m in _COUNTED_ZH.finditer(arabic(claim)):
                thing = _ZH_STOP.split(m.group(2))[0][:2]
                if not re.search(rf"{m.group(1)}\s*{re.escape(m.group(0)[len(m.group(1)):].lstrip()[:1])}"
                                 rf"{re.escape(thing)}", stated):
                    return False, cov, f"¶{unit.paragraph} does not give {m.group(1)} for what the claim counts"
        else:
            for number, nouns in counted(claim):
                if not _stated_with(number, nouns, unit):
                    return False, cov, f"¶{unit.paragraph} does not give {number} for what the claim counts"
        if negates(claim) and not negates(best_sentence(claim, unit)):
            return False, cov, f"¶{unit.paragraph} does not say the negation the claim makes"
        s = self.settings
        if cov >= s.verify_coverage or (cov >= s.verify_coverage / 2 and sim >= s.verify_similarity):
            return True, cov, ""
        return False, cov, f"¶{unit.paragraph} does not state it (terms {cov:.2f}, similarity {sim:.2f})"

    def verify(self, answer: str, units: list[Chunk], marker: Callable[[Chunk], str],
               labels: dict[str, str]) -> Verified:
        """Check each claim against the passages the model was given (`units`)."""
        checks: list[Check] = []
        kept: list[tuple[str, Chunk]] = []
        for claim in split_claims(answer):
            shown = strip_markers(claim.text)
            text = _LEAD_IN.sub("", shown)
            groups = self.claim_groups(text)
            if not groups and not numbers(text):
                continue  # "Yes." or a connective: nothing to check, nothing to keep
            sims = self.similarity(text, units) if self.similarity else [0.0] * len(units)
            cited_units = [i for i, u in enumerate(units) if any(_refers_to(ref, u, labels) for ref in claim.refs)]
            cited = [r[1] for r in claim.refs]
            result = self._best_passing(text, [(units[i], sims[i]) for i in cited_units])
            if result:
                unit, cov, sim = result
                checks.append(Check(text, cited, "verified", unit.paragraph, cov, sim))
                kept.append((shown, unit))
                continue
            reason = ""
            if cited_units:
                _, _, reason = self.check(text, units[cited_units[0]], sims[cited_units[0]])
            elif claim.refs:
                reason = "cites a paragraph that was not among the passages"
            # re-cite: the given passage that supports it best
            order = sorted(range(len(units)), key=lambda i: -sims[i])
            result = self._best_passing(text, [(units[i], sims[i]) for i in order if i not in cited_units])
            if result:
                unit, cov, sim = result
                checks.append(Check(text, cited, "recited", unit.paragraph, cov, sim,
                                    reason or "no citation given"))
                kept.append((shown, unit))
            else:
                best = order[0] if order else None
                checks.append(Check(text, cited, "unsupported", "",
                                    self.coverage(groups, units[best]) if best is not None else 0.0,
                                    sims[best] if best is not None else 0.0,
                                    reason or "no passage states it"))
        return self._compose(kept, checks, marker)

    def _best_passing(self, text: str, candidates: list[tuple[Chunk, float]]) -> tuple[Chunk, float, float] | None:
        """The candidate paragraph that supports the claim best, if any does."""
        best: tuple[Chunk, float, float] | None = None
        for unit, sim in candidates:
            ok, cov, _ = self.check(text, unit, sim)
            if ok and (best is None or cov + sim > best[1] + best[2]):
                best = (unit, cov, sim)
        return best

    @staticmethod
    def _compose(kept: list[tuple[str, Chunk]], checks: list[Check], marker: Callable[[Chunk], str]) -> Verified:
        citations: dict[str, Citation] = {}
        parts: list[str] = []
        for i, (text, unit) in enumerate(kept):
            same_next = i + 1 < len(kept) and kept[i + 1][1].unit == unit.unit
            joiner = "" if is_cjk(text) else " "
            parts.append(text if same_next else f"{text}{joiner}{marker(unit)}")
            if unit.unit not in citations:
                citations[unit.unit] = Citation.of(unit, best_sentence(text, unit), 0.0, marker(unit))
        text = "".join(p if is_cjk(p) else (" " + p if j else p) for j, p in enumerate(parts)).strip()
        return Verified(text, list(citations.values()), checks)


def _refers_to(ref: tuple[str, str, str], unit: Chunk, labels: dict[str, str]) -> bool:
    """Does a marker the model wrote name this unit? Its document label, when given, must match."""
    doc_label, paragraph, bullet = ref
    if unit.paragraph != paragraph:
        return False
    if unit.part and doc_label.endswith(unit.part):  # "[2024-05-20 Annex A ¶1]": the part, then the paper
        doc_label = doc_label[:-len(unit.part)].strip()
    if doc_label and doc_label not in (labels.get(unit.doc_id), unit.doc_id, unit.date):
        return False
    return not bullet or not unit.label or unit.label.strip("()").lower() == bullet


def best_sentence(claim: str, unit: Chunk) -> str:
    """The sentence of the paragraph that a claim draws on, for highlighting in the sources panel."""
    wanted = set(translate(claim).weights) if is_cjk(claim) else set(terms(claim))
    stated = numbers(claim)
    spans = sentences(unit.text) or [(0, len(unit.text))]

    def overlap(span: tuple[int, int]) -> int:
        text = unit.text[span[0]:span[1]]
        return len(wanted & set(terms(text))) + 2 * len(stated & numbers(text))

    a, b = max(spans, key=overlap)
    return unit.text[a:b]


def cosine(query: np.ndarray, passages: np.ndarray) -> list[float]:
    q = query / (np.linalg.norm(query) or 1.0)
    p = passages / np.maximum(np.linalg.norm(passages, axis=1, keepdims=True), 1e-9)
    return [float(x) for x in p @ q]


class DenseSimilarity:
    """Claim-to-paragraph similarity with the E5 model; paragraph vectors are cached by content."""

    def __init__(self, embedder: "Embedder") -> None:
        self.embedder = embedder
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, claim: str, units: list[Chunk]) -> list[float]:
        if len(self._cache) > 4096:
            self._cache.clear()
        todo = [u for u in units if u.hash not in self._cache]
        if todo:
            for unit, vector in zip(todo, self.embedder.passages([u.text for u in todo])):
                self._cache[unit.hash] = vector
        if not units:
            return []
        query = self.embedder.queries([claim])[0]
        return cosine(query, np.stack([self._cache[u.hash] for u in units]))
