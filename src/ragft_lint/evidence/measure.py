"""Measuring one evidence file: records, bad records, duplicates, shared inputs, labels.

Inputs and outputs are compared after normalising case and white space (``normalise``), and
only their hashes are kept, never the texts: a training set of half a million examples costs
a few dozen megabytes of hashes, whatever the length of its records. The hashes are Python's
own, salted per process, so they are never written anywhere; a collision between two of them
is about as likely as a cosmic ray flipping the answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from .layouts import Extract
from .measurements import EXAMPLES, FileFacts, Malformed, Overlap, snippet
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


class Part(NamedTuple):
    """The measurements of a stretch of whole lines of a file (all of it, or one of the byte
    ranges measured side by side), its lines counted from the start of the stretch.

    Besides its ``FileFacts`` (with no path yet), it holds what joining it to the parts before
    it needs: the number of lines it spans, the example hash of each of its first few
    repeats, and the hashes of the examples it holds (with duplicates counted) -- a dict from
    hash to first line where it was measured in this process, two arrays of machine integers
    (hashes, and first lines, in the order the examples first appear) where it was measured
    in another.
    """

    lines: int
    facts: FileFacts
    # The hash of the example of each of ``facts.first_duplicates``, in the same order.
    repeated_hashes: Tuple[int, ...]
    seen: Any
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
    part = tally(reader, extract, duplicates=duplicates, index=index, against=against)
    return join([part], path, reader.unit)


def tally(reader: Reader, extract: Extract, *, duplicates: bool = False, index: bool = False,
          against: Optional[InputIndex] = None) -> Part:
    """Measure the records ``reader`` reads (the options as for ``scan``)."""
    records = malformed = unlabeled = without_input = repeated = 0
    first_malformed: List[Malformed] = []
    first_unlabeled: List[int] = []
    first_repeated: List[Tuple[int, int]] = []
    repeated_hashes: List[int] = []
    seen: Optional[Dict[int, int]] = {} if duplicates else None
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
        if seen is not None:
            pair = hash((key, answer))
            first = seen.setdefault(pair, line)
            if first != line:
                repeated += 1
                if len(first_repeated) < examples:
                    first_repeated.append((line, first))
                    repeated_hashes.append(pair)
    facts = FileFacts(
        path="", unit=reader.unit, records=records, malformed=malformed,
        first_malformed=tuple(first_malformed), complete=reader.complete,
        unlabeled=unlabeled, first_unlabeled=tuple(first_unlabeled),
        without_input=without_input, duplicates=repeated,
        first_duplicates=tuple(first_repeated),
    )
    return Part(reader.lines, facts, tuple(repeated_hashes), seen, inputs, matches)


def join(parts: Sequence[Part], path: str, unit: str) -> Scan:
    """The measurements of a file from those of its parts, in order: exactly what measuring
    it in one piece gives (the first few examples of each kind, the counts, the index and
    the matches, every line number counted from the start of the file)."""
    first = parts[0]
    facts = first.facts._replace(path=path, unit=unit)
    inputs, matches = first.inputs, first.matches
    if len(parts) == 1:
        return Scan(facts, inputs, matches)
    examples = EXAMPLES
    offset = first.lines
    earlier = _Earlier(first.seen)
    counts = facts._asdict()
    for number, part in enumerate(parts[1:], 1):
        more = part.facts
        for name in ("records", "malformed", "unlabeled", "without_input"):
            counts[name] += getattr(more, name)
        counts["complete"] = counts["complete"] and more.complete
        counts["first_malformed"] += tuple(
            Malformed(bad.line + offset, bad.reason)
            for bad in more.first_malformed[:examples - len(counts["first_malformed"])])
        counts["first_unlabeled"] += tuple(
            line + offset
            for line in more.first_unlabeled[:examples - len(counts["first_unlabeled"])])
        if part.seen is not None:
            keys, lines = _hashes(part.seen)
            # The first record of an example an earlier part holds repeats it too.
            across = earlier.count(keys)
            counts["duplicates"] += more.duplicates + across
            wanted = examples - len(counts["first_duplicates"])
            if wanted > 0:
                pairs = [(line + offset, earlier.line(pair, repeated + offset))
                         for (line, repeated), pair in zip(more.first_duplicates,
                                                           part.repeated_hashes)]
                pairs += earlier.firsts(keys, lines, offset, wanted)
                counts["first_duplicates"] += tuple(sorted(pairs)[:wanted])
            if number < len(parts) - 1:
                earlier.add(keys, lines, offset)
        if part.inputs is not None and inputs is not None:
            for key, (line, count) in part.inputs.items():
                entry = inputs.get(key)
                if entry is None:
                    inputs[key] = [line + offset, count]
                else:
                    entry[1] += count
        if part.matches is not None and matches is not None:
            for key, (line, text) in part.matches.items():
                if key not in matches:
                    matches[key] = (line + offset, text)
        offset += part.lines
    return Scan(FileFacts(**counts), inputs, matches)


class _Earlier:
    """The examples of the parts joined so far: each one's hash and first line."""

    def __init__(self, seen: Any) -> None:
        if seen is None:
            seen = {}
        elif not isinstance(seen, dict):
            seen = dict(zip(*seen))
        self.first: Dict[int, int] = seen
        self.later: List[Tuple[Sequence[int], Sequence[int], int]] = []
        self.known: Any = self.first  # what `in` asks: the dict, or a set of every hash

    def count(self, keys: Sequence[int]) -> int:
        """How many of ``keys`` an earlier part holds."""
        return sum(map(self.known.__contains__, keys))

    def firsts(self, keys: Sequence[int], lines: Sequence[int], offset: int,
               wanted: int) -> List[Tuple[int, int]]:
        """(line, earlier line) of the first ``wanted`` examples, in the order of ``keys`` (that
        of their first lines), that an earlier part holds."""
        from itertools import compress, islice

        # The positions of the keys held earlier, found by C loops rather than a Python one.
        held = islice(compress(range(len(keys)), map(self.known.__contains__, keys)), wanted)
        return [(lines[position] + offset, self.line(keys[position], 0)) for position in held]

    def line(self, key: int, otherwise: int) -> int:
        """The first line of the example ``key`` in the earlier parts, else ``otherwise``."""
        if key in self.first:
            return self.first[key]
        for keys, lines, offset in self.later:
            if key in keys:
                return lines[keys.index(key)] + offset
        return otherwise

    def add(self, keys: Sequence[int], lines: Sequence[int], offset: int) -> None:
        if self.known is self.first:
            self.known = set(self.first)
        self.known.update(keys)
        self.later.append((keys, lines, offset))


def _hashes(seen: Any) -> Tuple[Sequence[int], Sequence[int]]:
    """A part's examples as (hashes, first lines), from either form ``Part.seen`` takes."""
    if isinstance(seen, dict):
        return list(seen), list(seen.values())
    return seen[0], seen[1]


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
