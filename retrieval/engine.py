"""The retrieval engine: dense + BM25 fused, aggregated to departments, with a calibrated verdict.

Load once, answer many: `Engine.load()` reads the knowledge base, the encoder and the saved FAISS index;
`engine.ask(question)` returns an `Answer`. No globals: all state lives in the Engine object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from common.language import detect as detect_language
from common.normalize import normalize
from embeddings import DenseIndex, Encoder, IndexMissingError, build_passages, load_encoder
from embeddings.encoders import encoder_name
from embeddings.index import DEFAULT_INDEX_DIR, fingerprint
from knowledge.loader import Department, KnowledgeBase, load_knowledge
from retrieval.lexical import DutyIndex, LexicalIndex
from retrieval.places import PlaceFinder
from retrieval.tokenize import tokens, without_numbers, without_stopwords
from retrieval.tuning import TUNING_FILE, Tuning, inscope_features
from retrieval.types import Answer, Evidence, RankedDepartment, Verdict

MAX_QUERY_CHARS = 500
# IDF weight of known words a question needs besides department and organisation names before the name is
# treated as a guess rather than the subject. Midway on our calibration questions: name lookups <= 7.9,
# needs with a guessed name >= 10.3.
NEED_SALIENCE = 9.0
_CLAUSE_END = re.compile(r"(?<=[。！？!?；;，,.])\s*")


@dataclass(frozen=True)
class Signals:
    """The tuning-independent evidence for one query (computed once, judged under any Tuning)."""

    passages: np.ndarray  # cosine per passage
    bm25: np.ndarray  # BM25 per department (catalogue order)
    known: float  # share of the query's BM25 weight on tokens the corpus knows
    tokens: tuple[str, ...] = ()  # the query's tokens without organisation names (to rank a department's duties)
    english: bool = False  # cosines run lower for English questions than for Chinese ones
    org: str | None = None  # the one organisation the question names ("人社局", "provident fund centre"), if any
    outside: float = -1.0  # best cosine to a neighbouring service none of ours handles (knowledge/data/outside.yml)
    vector: np.ndarray | None = None  # the query's embedding (for the domain direction)


@dataclass(frozen=True)
class Judgement:
    """Signals fused under a Tuning: a probability per department and the in-scope probability."""

    dense: np.ndarray  # best (weighted) cosine per department
    probs: np.ndarray  # softmax over fused department scores
    inscope: float
    features: dict[str, float] = field(default_factory=dict)  # the in-scope model's inputs

    @property
    def order(self) -> np.ndarray:
        return np.argsort(-self.probs)

    @property
    def confidence(self) -> float:
        """The top department's probability times the in-scope probability: what the no-answer threshold cuts."""
        return float(self.probs.max() * self.inscope)


class Engine:
    """Ranks departments for a question. Build the index once (`embeddings.index_knowledge`, `whohandles
    index`), then `Engine.load()`."""

    def __init__(self, knowledge: KnowledgeBase, dense: DenseIndex, encoder: Encoder, tuning: Tuning | None = None):
        # The encoder takes every core for the few milliseconds of a query; OpenBLAS (the passage scores'
        # matrix product) must not keep threads of its own spinning beside it. Measured on dev, 2 cores:
        # 48-52 ms median / 127 ms p95 per question with OpenBLAS at 2 threads, 22-24 / 35 ms at 1.
        threadpool_limits(limits=1, user_api="blas")
        self.knowledge = knowledge
        self.dense = dense
        self.encoder = encoder
        self.tuning = tuning or Tuning()
        self._ids = knowledge.ids
        self._position = {d: i for i, d in enumerate(self._ids)}
        self._department_passage = np.array([bool(p.department) for p in dense.passages])  # outside topics: ""
        self._is_outside = ~self._department_passage
        self._passage_department = np.array([self._position[p.department] for p in dense.passages if p.department])
        self.lexical = LexicalIndex(dense.passages, self._ids)
        self.duties_lexical = DutyIndex(dense.passages)
        # Duty sentences and the services under them: a service's match is evidence for its duty.
        self._duty_passages: dict[str, list[tuple[int, int]]] = {d: [] for d in self._ids}
        for pos, passage in enumerate(dense.passages):
            if passage.kind in ("duty", "service") and passage.duty >= 0:
                self._duty_passages[passage.department].append((pos, passage.duty))
        self._names = _name_table(knowledge)
        org_cues = {org: names + knowledge.org_topics.get(org, ()) for org, names in knowledge.org_names.items()}
        self._org_patterns = {org: _any_of(cues) for org, cues in org_cues.items()}
        self._any_org_cue = _any_of(cue for cues in org_cues.values() for cue in cues)
        self._department_org = np.array([knowledge.get(d).org for d in self._ids])
        self._department_names = _any_of(name for name, _ in self._names)
        self._any_org = _any_of(n for names in knowledge.org_names.values() for n in names)
        self._places = PlaceFinder(knowledge.places) if knowledge.places else None
        self._variants = _any_of(knowledge.synonyms, words=True) if knowledge.synonyms else None
        self._standard = {v.lower(): s for v, s in knowledge.synonyms.items()}

    # ---- construction ----------------------------------------------------------------------------
    @classmethod
    def load(
        cls, index_dir: Path = DEFAULT_INDEX_DIR, encoder: str | None = None, tuning_file: Path | None = TUNING_FILE
    ) -> "Engine":
        """Load a built index and the fitted tuning (retrieval/tuning.json; None: untuned defaults, as
        calibration starts from); raise IndexMissingError or TuningError (saying how to fix it)."""
        knowledge = load_knowledge()
        dense = DenseIndex.load(index_dir)
        name = encoder_name(encoder)
        if dense.fingerprint != fingerprint(name, build_passages(knowledge)):
            raise IndexMissingError(
                f"The index at {index_dir} is out of date for this knowledge base or encoder ({name}). "
                "Rebuild it: whohandles index"
            )
        tuning = Tuning.load(tuning_file, encoder=name) if tuning_file is not None else Tuning(encoder=name)
        return cls(knowledge, dense, load_encoder(name), tuning)

    # ---- questions ---------------------------------------------------------------------------------
    def ask(self, question: str, k: int = 3) -> Answer:
        """Rank departments for a question (Chinese or English) and decide: another city, or (two decisions)
        whether the question is about what these organisations do at all (else no answer), then whether one
        department stands out (answer) or the likely ones are offered as choices (clarify)."""
        query = normalize(question)[:MAX_QUERY_CHARS]
        language = detect_language(query)
        if not re.search(r"\w", query):  # nothing to search for: no letters, digits or Han characters
            return Answer(question, language, "no_answer", 0.0, 0.0)
        place = self._places.other_place(query) if self._places else None
        if place is not None:
            return Answer(question, language, "other_city", 0.0, 0.0, place=place)
        signals = self.signals(query)
        judged = self.judge(signals)
        order = judged.order[: max(k, 2)]
        margin = float(judged.probs[order[0]] - judged.probs[order[1]])
        confidence = judged.confidence
        ranked = tuple(self._ranked(self._ids[i], float(judged.probs[i] * judged.inscope), signals) for i in order[:k])
        verdict = self._verdict(judged.inscope, float(judged.probs[order[0]]), margin)
        return Answer(question, language, verdict, round(confidence, 4), round(margin, 4), ranked)

    def signals(self, query: str) -> Signals:
        """Everything the ranking needs, computed once: the organisation named, then — on the need, see
        `need()`, without years and amounts — cosine to every passage (one encoding), BM25 per department,
        known-vocabulary share. Takes normalised text (`ask` normalises; callers with raw text: `normalize`)."""
        query = self.with_standard_terms(query)
        org = self.named_org(query)
        query = without_numbers(self.need(query)) or query
        query_tokens = tokens(query)
        passage_scores, vector = self._passage_scores(query)
        bm25, known = self.lexical.scores(query_tokens)
        english = detect_language(query) == "en"
        outside = float(passage_scores[self._is_outside].max()) if self._is_outside.any() else -1.0
        duty_tokens = tuple(tokens(self.without_org_mentions(query)))  # 公积金 / 人社 tell no duty from another
        return Signals(passage_scores, bm25, known, duty_tokens, english, org, outside, vector)

    def with_standard_terms(self, query: str) -> str:
        """The query plus the standard term of each variant it uses (pinyin, Taiwan / Hong Kong usage, common
        typos; knowledge/data/synonyms.yml): "gongjijin withdrawal" is also read as "公积金 provident fund"."""
        if self._variants is None:
            return query
        found = dict.fromkeys(self._standard[m.group(0).lower()] for m in self._variants.finditer(query))
        extra = [term for term in found if term not in query]
        return " ".join([query, *extra]) if extra else query

    def need(self, query: str) -> str:
        """A question that names a department and also says what it needs is ranked on the need alone: the
        name is often a wrong guess ("…is that the Wage Office?"). A question that is little more than a
        name ("what does the Wage Office do?") keeps it."""
        rest = self._department_names.sub(" ", query)
        if rest == query:
            return query
        described = self._any_org.sub(" ", rest)
        return rest if self.lexical.salience(tokens(described)) >= NEED_SALIENCE else query

    def named_org(self, text: str) -> str | None:
        """The organisation a message names (or whose business only it handles), when exactly one."""
        named = [org for org, pattern in self._org_patterns.items() if pattern.search(text)]
        return named[0] if len(named) == 1 else None

    def without_org_mentions(self, text: str) -> str:
        """The text with every organisation name and organisation-only topic word blanked out."""
        return self._any_org_cue.sub(" ", text)

    def judge(self, signals: Signals, tuning: Tuning | None = None) -> Judgement:
        """Fuse dense and lexical evidence under a Tuning (default: the engine's; cheap: no encoding)."""
        tuning = tuning or self.tuning
        dense = self._department_max(signals.passages)
        top_bm25 = signals.bm25.max()
        lexical = signals.bm25 / top_bm25 if top_bm25 > 0 else signals.bm25
        fused = dense + tuning.lexical_weight * lexical
        if signals.org is not None:
            fused = fused + tuning.org_weight * (self._department_org == signals.org)
        probs = np.exp((fused - fused.max()) / tuning.temperature)
        probs /= probs.sum()
        features = inscope_features(
            dense, signals.known, signals.english, signals.bm25, signals.outside, tuning.domain_score(signals.vector)
        )
        return Judgement(dense, probs, tuning.inscope(features), features)

    def _verdict(self, inscope: float, top: float, margin: float) -> Verdict:
        """Out of the domain: no answer. In it: answer when one department stands out, else clarify."""
        if inscope < self.tuning.domain_threshold:
            return "no_answer"
        if top < self.tuning.answer_probability or margin < self.tuning.clarify_margin:
            return "clarify"
        return "answer"

    def dense_query(self, query: str) -> str:
        """What the dense encoder reads. A question over its token budget (see embeddings.encoders) loses its
        stopwords first; if still too long, it keeps its most telling clauses (by the IDF weight of the words
        our corpus knows), in their order, within the budget. Long posts often start with a story ("我是安徽
        来的，在上海工厂做了十年…") and end with the question: a head cut kept the story. On our realistic
        long questions this raised ranking top-1 from 0.89 to 0.92 and cut refusals from 4 % to 1 %."""
        budget = getattr(self.encoder, "query_max_tokens", None)
        count = getattr(self.encoder, "token_count", None)  # encoders with a token budget can count tokens
        if budget is None or count is None or count(query) <= budget:
            return query
        short = without_stopwords(query) or query
        clauses = [c for c in _CLAUSE_END.split(short) if c.strip()]
        if len(clauses) < 2 or count(short) <= budget:
            return short
        overhead = count("")  # prefix and special tokens, counted once
        sizes = [count(c) - overhead for c in clauses]
        ranked = sorted(range(len(clauses)), key=lambda i: -self.lexical.salience(tokens(clauses[i])))
        keep: set[int] = set()
        used = overhead
        for i in ranked:
            if keep and used + sizes[i] > budget:
                continue
            keep.add(i)
            used += sizes[i]
        return "".join(clauses[i] for i in sorted(keep))

    def _passage_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Cosine to every passage (in passage order) and the query vector."""
        vector = self.encoder.encode_query([self.dense_query(query)])[0]
        return self.dense.scores(vector), vector

    def _department_max(self, passage_scores: np.ndarray) -> np.ndarray:
        best = np.full(len(self._ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self._passage_department, passage_scores[self._department_passage])
        return best

    def duty_scores(self, dept_id: str, signals: Signals, tuning: Tuning | None = None) -> dict[int, float]:
        """How well each of a department's duties (0-based) answers the question, scored like a department is
        ranked: its best cosine (the duty sentence or a service under it) plus, at the tuning's evidence
        lexical weight, its BM25 among duties (retrieval.lexical.DutyIndex)."""
        weight = (tuning or self.tuning).evidence_lexical_weight
        lexical = self.duties_lexical.scores(dept_id, list(signals.tokens))
        best_by_duty: dict[int, float] = {}
        for pos, duty in self._duty_passages[dept_id]:
            best_by_duty[duty] = max(best_by_duty.get(duty, -1.0), float(signals.passages[pos]))
        return {duty: dense + weight * lexical.get(duty, 0.0) for duty, dense in best_by_duty.items()}

    def _ranked(self, dept_id: str, score: float, signals: Signals) -> RankedDepartment:
        """The department with the three duties that best answer the question, best first (`duty_scores`)."""
        dept = self.knowledge.get(dept_id)
        top = sorted(self.duty_scores(dept_id, signals).items(), key=lambda kv: -kv[1])[:3]
        evidence = tuple(Evidence(dept.duties[i].en, dept.duties[i].zh, round(s, 4), i + 1) for i, s in top)
        return _ranked_department(dept, round(score, 4), evidence)

    # ---- departments by name -------------------------------------------------------------------------
    def find_department(self, text: str) -> str | None:
        """The id of the department a message names ("what does the Wage Office do?"), if exactly one."""
        folded = (text or "").lower()
        hits = [(len(name), dept_id) for name, dept_id in self._names if name in folded]
        if not hits:
            return None
        longest = max(length for length, _ in hits)
        candidates = {d for length, d in hits if length == longest}
        if len(candidates) > 1:
            org = self.named_org(folded)
            candidates = {d for d in candidates if self.knowledge.get(d).org == org} if org else candidates
        return candidates.pop() if len(candidates) == 1 else None

    def describe(self, dept_id: str) -> RankedDepartment:
        """A department with all its duties as evidence (for "what does X do?")."""
        dept = self.knowledge.get(dept_id)
        return _ranked_department(dept, 1.0, tuple(Evidence(d.en, d.zh, 1.0, n) for n, d in enumerate(dept.duties, 1)))


def _ranked_department(dept: Department, score: float, evidence: tuple[Evidence, ...]) -> RankedDepartment:
    org = dept.organization
    return RankedDepartment(dept.id, dept.org, dept.name, dept.zh, org.name, org.zh, org.hotline, score, evidence)


def _name_table(knowledge: KnowledgeBase) -> list[tuple[str, str]]:
    """(lower-cased name, id) for every full name, bracketed name and name-like alias."""
    table = []
    for dept in knowledge.departments:
        names = {dept.name, dept.zh}
        for full in (dept.name, dept.zh):
            names |= {p.strip() for p in re.split(r"[()（）]", full) if len(p.strip()) >= 2}
        names |= {*dept.name_aliases_en, *dept.name_aliases_zh}
        table += [(n.lower(), dept.id) for n in names if len(n) >= 2]
    return table


def _any_of(names, words: bool = False) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of the names, longest first; with `words`, Latin names match
    only as whole words ("hukou", not inside "shukou")."""
    alternatives = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    edge = lambda n: rf"\b{re.escape(n)}\b" if words and n.isascii() else re.escape(n)  # noqa: E731
    return re.compile("|".join(edge(n) for n in alternatives), re.IGNORECASE)
