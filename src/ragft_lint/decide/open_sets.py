"""Open sets: the architectures a framework has not ruled out (decide.md, "Verdicts and open
sets").

A framework that needed an unknown fact is walked again with each value that fact could take,
chosen at the boundaries the frameworks compare it with (a corpus just inside and just past
the context, an eval one example short of ``min_eval_examples`` and at it), and so on for the
unknown facts those walks need in turn. What the walks reach between them is the open set; a
single architecture is a verdict that no unknown fact can move, so the framework is decided.
The walks explain nothing, so this costs a few microseconds a walk.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Set, Tuple

from ..declaration.vocabulary import ARCHITECTURES, DEPTHS, GAPS
from ..facts import Facts
from . import checklist_score, failure_mode, gates
from .conditions import Keys, Walk, settle
from .model import CHECKLIST, FAILURE_MODE, GATES, UNDECIDED, FrameworkResult

Framework = Callable[[Walk, Mapping[str, Any]], FrameworkResult]

# Every architecture: what a framework leaves open when an unknown fact could lead anywhere.
EVERYTHING: FrozenSet[str] = frozenset(ARCHITECTURES)

# At most this many walks for one framework: past it, what is still unexplored is open (a
# wider open set, never a narrower one, so DE001 stays quiet rather than guess).
WALKS = 300


def order(architectures: Any) -> Tuple[str, ...]:
    """Architectures in the order decide.md lists them (prompt, rag, fine-tune, hybrid)."""
    return tuple(a for a in ARCHITECTURES if a in architectures)


def spoken(architectures: Any) -> str:
    """"prompt or rag", "rag" — how the text outputs name an open set."""
    named = order(architectures)
    if len(named) <= 1:
        return "".join(named)
    return ", ".join(named[:-1]) + " or " + named[-1]


# One pace on each side of every line the frameworks draw: monthly or faster, quarterly,
# slower but changing, static.
PACES = ("monthly", "quarterly", "yearly", "static")


def candidates(keys: Keys, walk: Walk, limits: Mapping[str, Any]) -> Optional[List[Any]]:
    """The values of the unknown fact at ``keys`` worth trying: one on each side of every line
    a framework draws through it. None for a fact with no such list (then anything is open)."""
    if keys == ("gaps",):
        return [list(c) for n in (1, 2, 3) for c in combinations(GAPS, n)]
    if keys == ("knowledge", "changes"):
        return list(PACES)
    if keys == ("knowledge", "depth"):
        return list(DEPTHS)
    ratio = float(limits["context_fit_ratio"])
    if keys == ("knowledge", "corpus_tokens"):
        window = walk.get("prompt", "context_window_tokens")
        if window is None:
            return [100_000]  # any size: the window is tried on each side of it next
        room = math.floor(ratio * window)
        return _one_per_side(ratio, [(c, window) for c in (0, room, room + 1, int(window),
                                                          int(window) + 1) if c >= 0], 0)
    if keys == ("prompt", "context_window_tokens"):
        corpus = walk.get("knowledge", "corpus_tokens")
        if corpus is None:
            return [128_000]
        least = max(1, math.ceil(corpus / ratio)) if ratio > 0 else int(corpus) + 1
        return _one_per_side(ratio, [(corpus, w) for w in (int(corpus) - 1, int(corpus),
                                                           least - 1, least, least + 1)
                                     if w >= 1], 1)
    if keys == ("eval", "examples"):
        return [0, int(limits["min_eval_examples"])]
    if keys == ("fine_tune", "training_examples"):
        return sorted({0, int(limits["min_training_examples"]),
                       checklist_score.LABELLED_EXAMPLES_SIGN})
    return None


def _one_per_side(ratio: float, pairs: List[Tuple[Any, Any]], which: int) -> List[Any]:
    """One (corpus, window) pair per side of the two lines drawn through them (the corpus
    fits in ``ratio`` of the window; it is larger than the window): element ``which`` of each."""
    seen: Dict[Tuple[bool, bool], Any] = {}
    for corpus, window in pairs:
        seen.setdefault((corpus <= ratio * window, corpus > window), (corpus, window)[which])
    return list(seen.values())


def open_set(framework: Framework, facts: Facts, limits: Mapping[str, Any],
             first: FrameworkResult, first_unknowns: List[Keys]) -> FrozenSet[str]:
    """The architectures ``framework`` reaches over every value of the unknown facts it asks
    for; ``first`` is its walk over the facts as they are, which asked for ``first_unknowns``."""
    if not first_unknowns:
        return frozenset((first.verdict,)) if first.verdict != UNDECIDED else EVERYTHING
    reached: Set[str] = set()
    budget = [WALKS]

    def explore(supposed: Dict[Keys, Any], verdict: str, unknowns: List[Keys]) -> None:
        if reached >= EVERYTHING:
            return
        pending = [k for k in unknowns if k not in supposed]
        if not pending:
            reached.update(EVERYTHING if verdict == UNDECIDED else (verdict,))
            return
        keys = pending[0]
        probe = Walk(facts, explain=False, supposed=supposed)
        values = candidates(keys, probe, limits)
        if values is None or budget[0] <= 0:
            reached.update(EVERYTHING)
            return
        for value in values:
            budget[0] -= 1
            walk = Walk(facts, explain=False, supposed={**supposed, keys: value})
            result = framework(walk, limits)
            explore(walk.supposed, result.verdict, walk.unknowns)

    explore({}, first.verdict, first_unknowns)
    return frozenset(reached)


# The id of the step that says what a framework leaves open, by framework.
OPEN_STEPS = {FAILURE_MODE: failure_mode.OPEN, GATES: gates.STEP_OPEN,
              CHECKLIST: checklist_score.OPEN}


# The steps that keep a framework ``undecided`` while they are unknown, whatever its open set:
# the failure-mode tree starts from what the unmodified model got wrong (decide.md, step 1: "No
# gaps declared -> undecided"), though the architectures it leaves open are still walked, for
# the consensus to use.
WAITS = frozenset((failure_mode.GAPS,))


def judged(framework: Framework, facts: Facts, limits: Mapping[str, Any],
           explain: bool = True, settles: bool = False) -> FrameworkResult:
    """``framework``'s result on ``facts`` with its open set: decided when every value of the
    unknown facts it needs leads to one architecture, ``undecided`` when they lead to more.

    ``settles``: the framework decides ``undecided`` itself wherever an unknown fact could move
    its verdict (the failure-mode tree and the five gates do), so a verdict it reaches needs no
    second look; only its undecided walks are walked again."""
    walk = Walk(facts, explain=explain)
    first = framework(walk, limits)
    if settles and first.verdict != UNDECIDED:
        return first._replace(steps=settle(list(first.steps), first.verdict),
                              still_open=(first.verdict,))
    still = open_set(framework, facts, limits, first, walk.unknowns)
    named = order(still)
    waits = [s for s in first.steps if s.unknown and s.id in WAITS]
    verdict = named[0] if len(named) == 1 and not waits else UNDECIDED
    steps = list(first.steps)
    if verdict == UNDECIDED or first.verdict != verdict:
        ruled_out = [a for a in ARCHITECTURES if a not in still]
        keys = walk.unknowns[0] if walk.unknowns else None
        if waits and len(named) == 1:
            key = ".".join(str(k) for k in keys) if keys else "gaps"
            answer = (f"only {named[0]} (every value the {key} could take leads there), but "
                      f"the tree starts from the failure mode: declare {key} to decide")
        elif verdict != UNDECIDED:
            answer = (f"{verdict}: every value the facts not declared could take leads there")
        elif ruled_out:
            answer = (f"{spoken(still)}; ruled out: {spoken(ruled_out).replace(' or ', ', ')}"
                      + (f"; declare {'.'.join(str(k) for k in keys)} to decide" if keys
                         else ""))
        else:
            answer = "anything: " + (f"declare {'.'.join(str(k) for k in keys)} first" if keys
                                     else "no fact points anywhere yet")
        steps.append(walk.step(OPEN_STEPS[first.name], "What is still open?", answer,
                               keys, unknown=verdict == UNDECIDED and keys is not None))
    return first._replace(verdict=verdict, steps=settle(steps, verdict), still_open=named)
