"""Retrieval metrics as trec_eval computes them, and the facts one run yields.

The figure is the one trec_eval (default mode) prints for the same files (measured-quality.md):
relevant means a grade of 1 or more; precision@5 divides by 5 even when fewer than 5 documents
were retrieved; recall@5 divides by all the relevant documents of the query (0 when it has
none); MRR@10 is the reciprocal rank of the first relevant document within the top 10, else 0;
hit rate@5 is whether any relevant document is in the top 5.

Which queries are averaged is trec_eval's choice too: those both in the run and in the
judgements, including judged queries none of whose documents is relevant (they count 0). Judged
queries missing from the run are left out, unless the declaration says ``queries: all``, when
they count 0 and the average is over every judged query (trec_eval ``-c``). Run queries without
judgements are ignored. What was left out or counted as 0 is named in a note.
"""

from __future__ import annotations

import array
from typing import (
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

from . import statistics
from .measurements import EXAMPLES, Malformed


def single() -> Any:
    """One C float (``array('f')`` of one): trec_eval keeps a score as a C float, so a score
    stored in it and read back is the one trec_eval ranks by, infinite beyond its range."""
    return array.array("f", (0.0,))

# The deepest rank any metric looks at: a reader keeps no more of a ranking than this.
CUT = 10
# Documents a reader keeps per query: those any metric looks at, and the next, to see a tie
# across the cut-off at 10.
KEEP = CUT + 1
# Judgements by query: document id -> grade.
Judgements = Dict[str, Dict[str, int]]
# How many query ids a result keeps to name (queries without relevant documents, ...).
NAMED = 5


class QueryScores(NamedTuple):
    """The four per-query values, before averaging."""

    precision_at_5: float
    recall_at_5: float
    reciprocal_rank_at_10: float
    hit_at_5: bool


def score_query(ranking: Sequence[str], grades: Mapping[str, int]) -> QueryScores:
    """The per-query values of one ranking (documents best first) against its judgements.

    ``ranking`` must hold each document once (the readers drop repeats); ranks past its end
    count as not relevant.
    """
    # Run once per query of runs of a hundred thousand queries: plain loops, no generators.
    relevant = 0
    for grade in grades.values():
        if grade >= 1:
            relevant += 1
    in_top_5 = first = 0
    get = grades.get
    for rank, doc in enumerate(ranking[:CUT], 1):
        if get(doc, 0) >= 1:
            if not first:
                first = rank
            if rank <= 5:
                in_top_5 += 1
            else:
                break  # the first is found, and the top 5 counted
    return QueryScores(
        precision_at_5=in_top_5 / 5,
        recall_at_5=in_top_5 / relevant if relevant else 0.0,
        reciprocal_rank_at_10=1 / first if first else 0.0,
        hit_at_5=in_top_5 > 0,
    )


def has_relevant(grades: Mapping[str, int]) -> bool:
    return any(grade >= 1 for grade in grades.values())


class RetrievalFacts(NamedTuple):
    """What one retrieval run measures.

    ``queries`` counts the queries in the run, ``judged`` those averaged over (``averaged``
    says which: ``judged``, those in the run and in the judgements, or ``all`` judged queries).
    ``without_relevant`` counts the averaged queries that have no relevant document (they
    count 0), ``missing_from_run`` the judged queries the run left out (left out, or 0 with
    ``all``), ``without_judgements`` the run's queries that nobody judged (ignored); each names
    its first few. ``tied`` counts the averaged queries whose documents at rank 5 and 6, or 10
    and 11, have equal scores: their figures depend on how ties are broken. ``depth`` is the
    longest ranking. Each metric is None when no query is averaged. ``malformed`` lines were
    skipped (or, for a repeated document, the repeat was), the first few kept; ``complete`` is
    false when reading had to stop early, so the figures cover only what was read.
    """

    path: str
    form: str
    averaged: str
    queries: int
    judged: int
    without_relevant: int
    first_without_relevant: Tuple[str, ...]
    missing_from_run: int
    first_missing_from_run: Tuple[str, ...]
    without_judgements: int
    first_without_judgements: Tuple[str, ...]
    tied: int
    depth: int
    precision_at_5: Optional[statistics.Estimate]
    recall_at_5: Optional[statistics.Estimate]
    mrr_at_10: Optional[statistics.Estimate]
    hit_rate_at_5: Optional[statistics.Estimate]
    malformed: int
    first_malformed: Tuple[Malformed, ...]
    complete: bool

    def to_json(self) -> Dict[str, Any]:
        data = self._asdict()
        for name in _METRICS:
            estimate = data[name]
            data[name] = None if estimate is None else estimate._asdict()
        for name in _NAMED:
            data[name] = list(data[name])
        data["first_malformed"] = [list(m) for m in self.first_malformed]
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> RetrievalFacts:
        return cls(
            path=str(data["path"]),
            form=str(data["form"]),
            averaged=str(data["averaged"]),
            queries=int(data["queries"]),
            judged=int(data["judged"]),
            without_relevant=int(data["without_relevant"]),
            first_without_relevant=tuple(str(q) for q in data["first_without_relevant"]),
            missing_from_run=int(data["missing_from_run"]),
            first_missing_from_run=tuple(str(q) for q in data["first_missing_from_run"]),
            without_judgements=int(data["without_judgements"]),
            first_without_judgements=tuple(str(q) for q in data["first_without_judgements"]),
            tied=int(data["tied"]),
            depth=int(data["depth"]),
            precision_at_5=_estimate(data["precision_at_5"]),
            recall_at_5=_estimate(data["recall_at_5"]),
            mrr_at_10=_estimate(data["mrr_at_10"]),
            hit_rate_at_5=_estimate(data["hit_rate_at_5"]),
            malformed=int(data["malformed"]),
            first_malformed=tuple(Malformed(int(m[0]), str(m[1]))
                                  for m in data["first_malformed"]),
            complete=bool(data["complete"]),
        )


_METRICS = ("precision_at_5", "recall_at_5", "mrr_at_10", "hit_rate_at_5")
_NAMED = ("first_without_relevant", "first_missing_from_run", "first_without_judgements")


def _estimate(data: Optional[Dict[str, Any]]) -> Optional[statistics.Estimate]:
    if data is None:
        return None
    return statistics.Estimate(value=float(data["value"]), low=float(data["low"]),
                               high=float(data["high"]), n=int(data["n"]),
                               method=str(data["method"]))


class Problems:
    """The malformed lines of a run (and of its qrels), counted, the first few kept."""

    def __init__(self) -> None:
        self.count = 0
        self.first: List[Malformed] = []

    def add(self, line: int, reason: str) -> None:
        self.count += 1
        if len(self.first) < EXAMPLES:
            self.first.append(Malformed(line, reason))


class Reading:
    """One run being read: each query scored as soon as its ranking is known, so that what is
    kept is a few numbers per query, not its documents."""

    def __init__(self, shown: str, form: str, problems: Problems, averaged: str) -> None:
        self.shown = shown
        self.form = form
        self.problems = problems
        self.averaged = averaged
        self.judgements: Judgements = {}
        self.restart()

    def restart(self, problems: int = 0, first: Sequence[Malformed] = ()) -> None:
        """Forget the queries read, and the problems after the first ``problems``."""
        self.problems.count = problems
        self.problems.first = list(first)
        # By query, in the order read: its values, or None when nobody judged it.
        self.scores: Dict[str, Optional[QueryScores]] = {}
        self.depth = 0
        self.tied = 0

    def ranked(self, query: str, entries: Iterable[Tuple[Any, ...]], depth: int) -> None:
        """A query's documents as (score, id, ...), in any order (the best ``KEEP`` will do;
        each id once), and how many it ranks."""
        best = sorted(entries, reverse=True)  # trec_eval's order: score, then id, descending
        kept = len(best)
        tied = ((kept > 5 and best[4][0] == best[5][0])
                or (kept > CUT and best[CUT - 1][0] == best[CUT][0]))
        self.in_order(query, [entry[1] for entry in best[:CUT]], depth, tied)

    def in_order(self, query: str, ranking: Sequence[str], depth: int,
                 tied: bool = False) -> None:
        """A query's ranking, best first (each document once), and how many it ranks."""
        if depth > self.depth:
            self.depth = depth
        grades = self.judgements.get(query)
        if grades is None:
            self.scores[query] = None
            return
        self.tied += tied
        self.scores[query] = score_query(ranking, grades)

    def facts(self, complete: bool) -> RetrievalFacts:
        """The facts of what was read (``complete`` false when reading stopped early)."""
        return summarise(self.shown, self.form, self.scores, self.depth, self.judgements,
                         self.problems, complete, self.averaged, self.tied)


def shown_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Named:
    """Query ids counted, the first few kept to name."""

    def __init__(self) -> None:
        self.count = 0
        self.first: List[str] = []

    def add(self, query: str) -> None:
        self.count += 1
        if len(self.first) < NAMED:
            self.first.append(query)


def summarise(path: str, form: str, scores: Mapping[str, Optional[QueryScores]], depth: int,
              judgements: Mapping[str, Mapping[str, int]], problems: Problems, complete: bool,
              averaged: str = "judged", tied: int = 0) -> RetrievalFacts:
    """The facts of a run: the values of each query read (None for one nobody judged), in
    the order read, against ``judgements`` (query -> doc -> grade), averaged over the queries
    ``averaged`` names (``judged`` or ``all``); ``tied`` queries have equal scores across a
    cut-off.
    """
    values: List[QueryScores] = []
    without_relevant, missing, unjudged = _Named(), _Named(), _Named()
    for query, value in scores.items():
        if value is None:
            unjudged.add(query)
            continue
        if not has_relevant(judgements[query]):
            without_relevant.add(query)
        values.append(value)
    for query, grades in judgements.items():
        if query in scores:
            continue
        missing.add(query)
        if averaged == "all":
            if not has_relevant(grades):
                without_relevant.add(query)
            values.append(_NOTHING)
    return RetrievalFacts(
        path=path,
        form=form,
        averaged=averaged,
        queries=len(scores),
        judged=len(values),
        without_relevant=without_relevant.count,
        first_without_relevant=tuple(without_relevant.first),
        missing_from_run=missing.count,
        first_missing_from_run=tuple(missing.first),
        without_judgements=unjudged.count,
        first_without_judgements=tuple(unjudged.first),
        tied=tied,
        depth=depth,
        precision_at_5=_mean([s.precision_at_5 for s in values]),
        recall_at_5=_mean([s.recall_at_5 for s in values]),
        mrr_at_10=_mean([s.reciprocal_rank_at_10 for s in values]),
        hit_rate_at_5=(statistics.wilson(sum(s.hit_at_5 for s in values), len(values))
                       if values else None),
        malformed=problems.count,
        first_malformed=tuple(problems.first),
        complete=complete,
    )


# What a judged query missing from the run scores when it is averaged in (trec_eval -c).
_NOTHING = QueryScores(0.0, 0.0, 0.0, False)


def run_notes(facts: RetrievalFacts, qrels: str, retrieve_k: Any) -> List[Tuple[str, str]]:
    """What to tell of a run, as (note code, message): the queries its figures leave out or
    count as 0, and a ranking shallower than ``rag.retrieve_k``."""
    told: List[Tuple[str, str]] = []
    said = left_out(facts, qrels)
    if said is not None:
        told.append(("retrieval-queries-left-out", said))
    if isinstance(retrieve_k, int) and not isinstance(retrieve_k, bool) and (
            retrieve_k > facts.depth):
        told.append(("run-shallower-than-retrieve-k",
                     f"{facts.path} ranks at most {facts.depth} documents per query, fewer than "
                     f"rag.retrieve_k ({retrieve_k}): the run cannot show the candidates the "
                     "reranker sees"))
    return told


def left_out(facts: RetrievalFacts, qrels: str = "the judgements") -> Optional[str]:
    """The note of what the figures of ``facts`` leave out or count as 0, or None when they
    average every query of the run and of ``qrels`` (as the user reads its name)."""
    parts: List[str] = []
    if facts.missing_from_run:
        if facts.averaged == "all":
            parts.append(f"{_some(facts.missing_from_run, facts.first_missing_from_run)} judged "
                         "but missing from the run count as 0 (queries: all, as trec_eval -c)")
        else:
            parts.append(f"{_some(facts.missing_from_run, facts.first_missing_from_run)} judged "
                         "but missing from the run are left out, as trec_eval leaves them out "
                         "(declare queries: all to count them as 0, as trec_eval -c does)")
    if facts.without_judgements:
        parts.append(f"{_some(facts.without_judgements, facts.first_without_judgements)} in "
                     f"the run but not in {qrels} are ignored")
    if facts.without_relevant:
        parts.append(f"{_some(facts.without_relevant, facts.first_without_relevant)} judged "
                     "without a relevant document count as 0")
    if not parts:
        return None
    return (f"{facts.path}: the retrieval figures average {facts.judged} "
            f"quer{'y' if facts.judged == 1 else 'ies'}; " + "; ".join(parts))


def _some(count: int, first: Sequence[str]) -> str:
    named = ", ".join(first) + (", ..." if count > len(first) else "")
    return f"{count} quer{'y' if count == 1 else 'ies'} ({named})"


def _mean(values: Iterable[float]) -> Optional[statistics.Estimate]:
    listed = list(values)
    return statistics.mean_interval(listed, bounds=(0.0, 1.0)) if listed else None
