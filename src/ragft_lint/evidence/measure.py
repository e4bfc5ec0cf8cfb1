"""Measuring one evidence file: records, bad records, duplicates, shared inputs, labels.

Inputs and outputs are compared after normalising case and white space (``normalise``), and
only their hashes are kept, never the texts: a training set of half a million examples costs
a few dozen megabytes of hashes, whatever the length of its records. The hashes are Python's
own, salted per process, so they are never written anywhere; a collision between two of them
is about as likely as a cosmic ray flipping the answer.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Tuple

from .facts import EXAMPLES, FileFacts, Malformed, Overlap, snippet
from .layouts import Extract
from .readers import Reader

# Normalised input hash -> [line of its first record, number of records with that input].
InputIndex = Dict[int, List[int]]
# Normalised input hash -> (line of the first training record with it, snippet of it).
Matches = Dict[int, Tuple[int, str]]

SNIPPET_CHARS = 40


class Scan(NamedTuple):
    facts: FileFacts
    inputs: Optional[InputIndex]
    matches: Optional[Matches]


def normalise(text: str) -> str:
    """Lower case, white space runs as one space, no white space at the ends."""
    low = text.lower()
    # Every white space character but the space is unprintable, so a printable text without
    # a double space only needs its ends trimmed; splitting into words is the slow way.
    if low.isprintable() and "  " not in low:
        return low.strip()
    return " ".join(low.split())


def scan(reader: Reader, extract: Extract, path: str, *, duplicates: bool = False,
         index: bool = False, against: Optional[InputIndex] = None) -> Scan:
    """Read every record of a file and measure it.

    ``duplicates``: count records repeating an earlier example (training data). ``index``:
    return the hashes of the normalised inputs (an eval set, for the overlap check).
    ``against``: such an index; return which of its inputs this file's records share.
    """
    records = malformed = unlabeled = without_input = repeated = 0
    first_malformed: List[Malformed] = []
    first_unlabeled: List[int] = []
    first_repeated: List[Tuple[int, int]] = []
    seen: Dict[int, int] = {}
    inputs: Optional[InputIndex] = {} if index else None
    matches: Optional[Matches] = {} if against is not None else None
    examples = EXAMPLES
    for line, item in reader.items():
        if item.__class__ is not dict:
            malformed += 1
            if len(first_malformed) < examples:
                first_malformed.append(item)
            continue
        records += 1
        given, answer = extract(item)
        # normalise(), written out: it runs twice for every record of the largest files.
        if given:
            given = given.lower()
            given = given.strip() if given.isprintable() and "  " not in given \
                else " ".join(given.split())
        if not given:
            without_input += 1
            continue
        if answer:
            answer = answer.lower()
            answer = answer.strip() if answer.isprintable() and "  " not in answer \
                else " ".join(answer.split())
        else:
            answer = ""
        if not answer:
            unlabeled += 1
            if len(first_unlabeled) < examples:
                first_unlabeled.append(line)
        key = hash(given)
        if inputs is not None:
            entry = inputs.get(key)
            if entry is None:
                inputs[key] = [line, 1]
            else:
                entry[1] += 1
        if matches is not None and key in against and key not in matches:  # type: ignore[operator]
            matches[key] = (line, snippet(given, SNIPPET_CHARS))
        if duplicates:
            first = seen.setdefault(hash((key, answer)), line)
            if first != line:
                repeated += 1
                if len(first_repeated) < examples:
                    first_repeated.append((line, first))
    facts = FileFacts(
        path=path, unit=reader.unit, records=records, malformed=malformed,
        first_malformed=tuple(first_malformed), complete=reader.complete,
        unlabeled=unlabeled, first_unlabeled=tuple(first_unlabeled),
        without_input=without_input, duplicates=repeated,
        first_duplicates=tuple(first_repeated),
    )
    return Scan(facts, inputs, matches)


def overlap(eval_inputs: InputIndex, matches: Matches, eval_path: str,
            training_path: str) -> Overlap:
    """How many eval records share their input with the training records matched to them."""
    shared = sum(eval_inputs[key][1] for key in matches)
    ordered = sorted((eval_inputs[key][0], line, text) for key, (line, text) in matches.items())
    return Overlap(
        eval_path=eval_path,
        training_path=training_path,
        shared=shared,
        eval_inputs=sum(entry[1] for entry in eval_inputs.values()),
        pairs=tuple((eval_line, line) for eval_line, line, _ in ordered[:EXAMPLES]),
        snippet=ordered[0][2] if ordered else "",
    )
