"""Retrieval metrics as measured-quality.md pins them, and the facts one run yields.

The definitions follow trec_eval so that a figure computed here matches the one a team gets
from its own tools: relevant means a grade of 1 or more; precision@5 divides by 5 even when
fewer than 5 documents were retrieved; recall@5 divides by all the relevant documents of the
query; MRR@10 is the reciprocal rank of the first relevant document within the top 10, else 0;
hit rate@5 is whether any relevant document is in the top 5. Averages are over the queries
with at least one relevant document (a query without any has no recall and would only dilute
the others); those without are counted and named instead.

A query that has relevant documents but is absent from the run is averaged in with zeros
(trec_eval's ``-c``): leaving it out would let a run raise its figures by dropping the queries
it does badly on.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from . import statistics
from .measurements import EXAMPLES, Malformed

# The deepest rank any metric looks at: a reader keeps no more of a ranking than this.
CUT = 10
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
    relevant = sum(1 for grade in grades.values() if grade >= 1)
    found = [grades.get(doc, 0) >= 1 for doc in ranking[:CUT]]
    in_top_5 = sum(found[:5])
    first = next((rank for rank, hit in enumerate(found, 1) if hit), 0)
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

    ``queries`` counts the queries in the run, ``judged`` those averaged over (with at least
    one relevant document, including ``missing_from_run`` of them that the run left out and
    that score 0). ``without_relevant`` counts the run's queries that have no relevant
    document, named in ``first_without_relevant``. ``depth`` is the longest ranking. Each
    metric is None when no query is judged. ``malformed`` lines were skipped (or, for a
    repeated document, the repeat was), the first few kept; ``complete`` is false when
    reading had to stop early, so the figures cover only what was read.
    """

    path: str
    form: str
    queries: int
    judged: int
    without_relevant: int
    first_without_relevant: Tuple[str, ...]
    missing_from_run: int
    first_missing_from_run: Tuple[str, ...]
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
        data["first_without_relevant"] = list(self.first_without_relevant)
        data["first_missing_from_run"] = list(self.first_missing_from_run)
        data["first_malformed"] = [list(m) for m in self.first_malformed]
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> RetrievalFacts:
        return cls(
            path=str(data["path"]),
            form=str(data["form"]),
            queries=int(data["queries"]),
            judged=int(data["judged"]),
            without_relevant=int(data["without_relevant"]),
            first_without_relevant=tuple(str(q) for q in data["first_without_relevant"]),
            missing_from_run=int(data["missing_from_run"]),
            first_missing_from_run=tuple(str(q) for q in data["first_missing_from_run"]),
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


def summarise(path: str, form: str, rankings: Mapping[str, Sequence[str]],
              depths: Mapping[str, int], judgements: Mapping[str, Mapping[str, int]],
              problems: Problems, complete: bool) -> RetrievalFacts:
    """The facts of a run: ``rankings`` (top ``CUT``, best first) and their ``depths`` by
    query, in the order the queries were read, against ``judgements`` (query -> doc -> grade).
    """
    scores: List[QueryScores] = []
    without: List[str] = []
    without_count = 0
    for query, ranking in rankings.items():
        grades = judgements.get(query, {})
        if has_relevant(grades):
            scores.append(score_query(ranking, grades))
        else:
            without_count += 1
            if len(without) < NAMED:
                without.append(query)
    missing = [query for query, grades in judgements.items()
               if query not in rankings and has_relevant(grades)]
    scores.extend(score_query((), judgements[query]) for query in missing)
    return RetrievalFacts(
        path=path,
        form=form,
        queries=len(rankings),
        judged=len(scores),
        without_relevant=without_count,
        first_without_relevant=tuple(without),
        missing_from_run=len(missing),
        first_missing_from_run=tuple(missing[:NAMED]),
        depth=max(depths.values(), default=0),
        precision_at_5=_mean([s.precision_at_5 for s in scores]),
        recall_at_5=_mean([s.recall_at_5 for s in scores]),
        mrr_at_10=_mean([s.reciprocal_rank_at_10 for s in scores]),
        hit_rate_at_5=(statistics.wilson(sum(s.hit_at_5 for s in scores), len(scores))
                       if scores else None),
        malformed=problems.count,
        first_malformed=tuple(problems.first),
        complete=complete,
    )


def _mean(values: Iterable[float]) -> Optional[statistics.Estimate]:
    listed = list(values)
    return statistics.mean_interval(listed, bounds=(0.0, 1.0)) if listed else None
