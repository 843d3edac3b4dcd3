"""Quoting: the clauses of a sentence that carry the answer and the question's words, cut with "…"
where words were left out, never reworded (`Trimmed.words` is verbatim text of the paper)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import terms

# where a clause may end: a semicolon or colon, a dash, or a comma before a word that starts a new
# clause (not a comma between list items: "education, investment promotion and equine sports")
_CLAUSE = re.compile(r"[;:]\s+|\s{1,3}[—–]\s+|,\s{1,3}(?=(?:and|but|which|who|whom|whose|while|whereas|with|in|at|on|by|"
                     r"for|to|as|from|covering|including|namely|such|thereby|through|under|leading|led|the|a|an|"
                     r"it|they|this|these|both|Mr|Ms|Mrs|Dr)\b)")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)]*$")


@dataclass
class Trimmed:
    text: str  # as shown, with "…" where words were left out
    words: str  # verbatim from the paper


def trim(sentence: str, found: tuple[int, int] | None, weights: dict[str, float], max_words: int = 0,
         word_cost: float = 0.012, new_weight: float = 0.0) -> Trimmed:
    """The clauses of a sentence that carry the answer and the question's words: the shortest run
    that keeps the answer span, most of the question's weight and, at `new_weight`, most of the
    words the question does not have (what it is told: "…, namely Fujian, Jiangxi, …" of "Which
    provinces does it comprise?"), with "…" where words were left out."""
    cuts = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    clauses: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        if clauses and len(sentence[a:b].split()) < 5:  # a list item or a name: part of its clause
            clauses[-1] = (clauses[-1][0], b)
        else:
            clauses.append((a, b))
    if len(clauses) <= 1:
        return Trimmed(sentence, sentence)
    clause_terms = [set(terms(sentence[a:b].replace("-", " "))) | set(terms(sentence[a:b])) for a, b in clauses]
    offered = set().union(*clause_terms)
    total = sum(w for t, w in weights.items() if t in offered) or 1.0  # of what this sentence can give
    new = [len(c - weights.keys()) for c in clause_terms]
    all_new = sum(new) or 1
    best: tuple[float, int, int] | None = None
    for i in range(len(clauses)):
        for j in range(i, len(clauses)):
            a, b = clauses[i][0], clauses[j][1]
            if found is not None and not (a <= found[0] and found[1] <= b):
                continue
            if found is None and len(sentence[a:b].split()) < min(8, len(sentence.split())):
                continue  # a quote that stands for the whole answer must say something
            present = set().union(*clause_terms[i:j + 1])
            covered = sum(w for t, w in weights.items() if t in present) / total
            words = len(sentence[a:b].split())
            score = covered + new_weight * sum(new[i:j + 1]) / all_new - word_cost * max(0, words - 12)
            if best is None or score > best[0]:
                best = (score, a, b)
    assert best is not None
    _, a, b = best
    if max_words and len(sentence[a:b].split()) > max_words:
        a, b = _window(sentence, a, b, found, weights, max_words)
    words = sentence[a:b].strip().rstrip(",;:—– ")
    text = ("…" if a > 0 else "") + words
    if b < len(sentence) and not _SENTENCE_END.search(text):
        text += "…"
    return Trimmed(text, words)


def _window(sentence: str, a: int, b: int, found: tuple[int, int] | None, weights: dict[str, float],
            max_words: int) -> tuple[int, int]:
    """At most `max_words` words of sentence[a:b], around the answer span or the weightiest words."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", sentence) if a <= m.start() < b]
    if found is not None:
        centre = next((i for i, (s, e) in enumerate(words) if e > found[0]), 0)
        start = max(0, min(centre - max_words // 3, len(words) - max_words))
    else:  # the window that carries the most of the weight: each word it must show, if it can
        scores = [sum(weights.get(t, 0.0) for t in set(terms(sentence[s:e]))) for s, e in words]
        start = max(range(max(1, len(words) - max_words + 1)), key=lambda i: sum(scores[i:i + max_words]))
    return words[start][0], words[min(len(words), start + max_words) - 1][1]
