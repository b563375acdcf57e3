"""Calls that resemble past emergencies: a second reading for what the event words do not name.

The event words of ``regulations/intake_rules.yaml`` know the sayings written into them; a caller who
describes a stroke as 一边脸麻了，看东西重影 or a bicycle theft as 有人在车棚剪电动车的锁 names none. The
hotline center keeps example calls in ``regulations/intake_examples.yaml`` (``examples``: each a caller's
words and the line it belongs on, 110/119/120/122 or none: look-alikes that were no emergency), and the
knowledge base's own ordinary requests (the answers' common ``questions`` and the dispatch catalogue's
``examples``) are calls that were no emergency.

From these, a naive Bayes reading over the characters and the runs of two and three characters tells how
likely a new call is to belong on each line. The log-likelihood is averaged over the call's runs and
scaled by ``TEMPERATURE``, so that a long written complaint is not made certain by its length alone.
Only a call the event words found nothing in, and with no not-now word (过去的事、规定和办理 …) anywhere
unless a strong sign says it is going on all the same (上个月丢过一辆，刚才又有人在剪锁), is read this way (see :class:`kb_app.dispatch.emergency.Recogniser`); one that resembles a line's
emergencies with probability ``THRESHOLD`` or more is *suspected* (疑似紧急): the agent sees the transfer
script first and confirms with the caller. It never confirms an emergency and never dismisses one.

Measured without the held-out sets by ``scripts/eval_intake.py --leave-out``: each of the thirty-four tuning sets
read with examples learnt from the other thirty-three, right line 87.4 % → 95.9 % on average, false alarms 1.9 % →
2.0 %; the catalogue's 165 examples, learnt in halves from each other, 7 alarms without this reading and 9
with it. The threshold is where that trade turns (with fourteen sets 0.99: 92.9 %, 2.9 %, 7 alarms; 0.9: 97.6 %,
3.2 %, 11; with sixteen 0.97: 95.9 %, 2.7 %, 7; 0.95: 96.9 %, 2.7 %, 8; 0.93: 97.4 %, 2.8 %, 9; with thirty-four
0.97: 93.3 %, 1.9 %, 8; 0.95: 95.4 %, 2.0 %, 8; 0.93: 95.9 %, 2.0 %, 9; 0.9: 96.4 %, 2.1 %, 12 — and the real
citizen messages of appeals_dev, 3 alarms of 150 at 0.95 and at 0.93). No ``MIN_RUNS``
takes short ordinary requests (眼皮跳得厉害, 水龙头卡住了关不上) for emergencies.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable

from ..cache import LruCache
from ..search.analysis import normalize

#: Probability of a line's emergency from which a call is suspected.
THRESHOLD = 0.93
#: Scale of the per-run average log-likelihood (lower: less certain).
TEMPERATURE = 3.0
#: A call with fewer runs than this is read as if it had this many (a few words are little evidence).
MIN_RUNS = 40
#: Additive smoothing of each run's share of a line's calls.
ALPHA = 0.5
NONE = "none"
#: An ordinary call longer than this is not learnt from: a long story of an accident or a fire that ends in a
#: question carries every emergency word, and counted without the words around them it would teach that they
#: are ordinary (``--leave-out`` with twenty-six sets: 95.4 % → 96.0 % right line, false alarms 2.0 % either way).
LONG_ORDINARY = 60
_NOT_TEXT = re.compile(r"[\W_]+")
#: Runs whose log-likelihood is kept per line (a few megabytes at most).
FITS_KEPT = 20000


def runs(text: str) -> set[str]:
    """The characters and the runs of two and three characters of a call, punctuation and spaces left out."""
    text = _NOT_TEXT.sub("", normalize(text))
    return {text[i:i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)}


class CallExamples:
    """Example calls by line, ready to tell which line a new call resembles."""

    def __init__(self, examples: Iterable[tuple[str, str]], ordinary: Iterable[str] = ()):
        self.calls: Counter = Counter()
        self.counts: dict[str, Counter] = {}
        for text, line in [*examples, *((q, NONE) for q in ordinary)]:
            if line == NONE and len(text) > LONG_ORDINARY:
                continue
            self.calls[line] += 1
            self.counts.setdefault(line, Counter()).update(runs(text))
        self.known = set().union(*self.counts.values()) if self.counts else set()
        #: Each run's log-likelihood per line, computed when first needed (the same runs recur from call to call:
        #: the commonest are met first), for at most ``FITS_KEPT`` runs a line.
        self._fits: dict[str, dict[str, float]] = {line: {} for line in self.calls}

    def __bool__(self) -> bool:
        """True when there are examples of an emergency and of an ordinary call to compare with."""
        return NONE in self.calls and len(self.calls) > 1

    def probabilities(self, text: str) -> dict[str, float]:
        """Each line's probability for a call (``none`` included); empty without examples."""
        if not self:
            return {}
        seen = [r for r in runs(text) if r in self.known]
        total = sum(self.calls.values())
        scores = {}
        for line, n in self.calls.items():
            counts, fits = self.counts[line], self._fits[line]
            fit = 0.0
            for r in seen:
                f = fits.get(r)
                if f is None:
                    f = math.log((counts[r] + ALPHA) / (n + 2 * ALPHA))
                    if len(fits) < FITS_KEPT:
                        fits[r] = f
                fit += f
            scores[line] = math.log(n / total) + TEMPERATURE * fit / max(len(seen), MIN_RUNS, 1)
        top = max(scores.values())
        weights = {line: math.exp(s - top) for line, s in scores.items()}
        z = sum(weights.values())
        return {line: w / z for line, w in weights.items()}

    def resembles(self, text: str) -> tuple[str, float] | None:
        """(line, probability) of the emergency line a call most resembles, when it is ``THRESHOLD`` likely
        to be some line's emergency; else None."""
        p = self.probabilities(text)
        lines = [line for line in p if line != NONE]
        if not lines or 1 - p[NONE] < THRESHOLD:
            return None
        line = max(lines, key=p.get)
        return line, 1 - p[NONE]


def from_config(config, ordinary: Iterable[str] = ()) -> CallExamples:
    """The examples of ``intake_examples.yaml`` (``examples: [{text, line}]``); unreadable items are skipped
    (validation reports them)."""
    items = config.get("examples") if isinstance(config, dict) else None
    pairs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"].strip():
            line = str(item.get("line") or NONE).strip()
            pairs.append((item["text"], line))
    key = (tuple(pairs), tuple(ordinary))
    examples = _BUILT.get(key)
    if examples is None:
        examples = CallExamples(*key)
        _BUILT.put(key, examples)
    return examples


#: Example calls already counted, by their texts: counting ~4,000 calls takes a fifth of a second, and a new
#: commit (every publication) seldom changes them. Read-only once built.
_BUILT = LruCache(4)
