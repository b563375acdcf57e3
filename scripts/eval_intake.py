"""Intake evaluation: are emergencies put on the right line, and how often is there a false alarm?

Sets of callers' phrasings, each item ``{text, line}`` with line 110/119/120/122 or none (and
optionally ``also``: other lines that are right for the same call, 122 and 120 for a crash with injuries):
``tests/data/intake_tune.yaml`` and ``intake_tune_2.yaml`` to ``intake_tune_54.yaml`` (the recognition words
were tuned on them; 2 to 16 written by writers who had not seen the rules: from the four lines' remits, from
what callers see and feel rather than its name, from a dispatcher trainer's hard cases, from every
channel and kind of caller, from the long tail of rare emergencies, from how callers speak, from a
night shift's calls that never name the emergency, from speech-to-text outside city flats, and from calls
whose time words mislead — past words for a danger still going on, now-words for one already dealt with,
from agents' work-order summaries typed during the call, from a year of local-news incidents, from regional
speech, from the false alarms a quality inspector flags, from minimal pairs of everyday situations, and from
callers who do not sound like an emergency, from a shift supervisor's picks of the calls agents hesitated
over, one week a season, from the aftermath of incidents (danger back after it seemed over, or over for good),
from places of work in their trades' words, from a day and a night at home, from a dispatcher's drill
against over-alarming (ordinary requests full of alarming words, emergencies that begin as a complaint),
from passers-by in the city's public places, from a quality inspector's year (one call per everyday situation,
month by month), from a re-certification exam of only hard calls, from people who call on the job about
others (property staff, grid workers, couriers, drivers, teachers, nurses), from long calls whose decisive
detail is buried or comes last, from calls about two matters, from questions asked inside a danger or about
dangers in general, from corrections and second thoughts inside a call, from the hotline's hardest days of the
year (storms, heat, snow, power cuts, festival crowds), from the old, the very young and those who call for
them from afar, from family and neighbours, from machines, vehicles and equipment, from lives with an illness
or a disability, from upset callers about everyday matters in words of danger, from children and schools, from
the city's streets and what is built on them, from crime and money, from nature, animals and the outdoors, from
typed messages, from minds in crisis, from getting around the city, from winter in old housing, from another
quality inspector's year, from long calls told by speech-to-text, from shops, restaurants and services, from
villages and the city's rural edge, from holidays, festivals and crowds, from calls passed on by someone else
or told in imperfect Chinese (children for grandparents, neighbours through a wall, foreigners mixing in English),
from a third quality inspector's year, from long calls told as stories (the alarming words in the background), and from an outside tester's emergencies
said plainly (minds in crisis, violence habitual and happening now, traditional characters, symbols and English), and
from a quality team's month of calls spread evenly over the registers callers use, and from village, mountain and
river life, extreme weather, workplaces, highways and callers who cannot speak freely;
7 to 54 were read once before anything was learnt from them),
``tests/data/intake_holdout.yaml`` (written before tuning, never tuned on),
``tests/data/intake_holdout_2.yaml`` (written later by another writer who had not seen the rules; its
misses were listed by ``--show`` since, so it is no longer blind) and
``tests/data/intake_holdout_3.yaml`` (a third writer who had not seen the rules or the sets; never tuned
on, its misses not read while the rules were tuned), ``tests/data/intake_holdout_4.yaml`` (a fourth
such writer, as a quality inspector picking one call per everyday situation from a year of recordings;
never tuned on, its misses not read), ``tests/data/intake_holdout_5.yaml`` (a fifth, as a trainer's final
exam for new agents across a year's situations; never tuned on, its misses not read) and
``tests/data/intake_holdout_6.yaml`` (a sixth, as a night-shift supervisor's log of a winter and a summer month,
written after the fifty-one tuning sets; never tuned on, its misses not read) and
``tests/data/intake_holdout_7.yaml`` (a seventh, written blind in every register callers use: plain pleas, rambling
calls, dialect, speech-to-text homophones, traditional characters, emoji and English; never tuned on, its misses not read). The tuning sets are also the sample's example calls
(``regulations/intake_examples.yaml``, read by resemblance when no event word is found), so their figures
flatter; the held-out sets are in neither. For each set:

- **right line**: emergencies for which the console puts the right line's transfer script first
  (紧急 or 疑似紧急 — both are shown as urgent), of all emergencies; also the share confirmed (紧急);
- **false alarms**: non-emergencies shown as 紧急 or 疑似紧急, of all non-emergencies.

The baseline, in the same run, is the exact-phrase matching of the intake rules as they were before
recognition by meaning (``--baseline-rev``, a git revision of this repository). When the real
citizen messages of ``../shared/eval/appeals_dev.jsonl`` are there, the alarms raised on them are
counted too (they are ordinary requests; an alarm there is worth a look). ``--show`` lists misses.

``--leave-out`` measures the reading by resemblance (``kb_app.dispatch.resemblance``) without the held-out
sets: each tuning set read with example calls learnt from the others, and the catalogue's examples.

    .venv/bin/python scripts/eval_intake.py [--show | --leave-out]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml

from kb_app.dispatch.assistant import intake, match_rule, ordinary_requests
from kb_app.dispatch.emergency import Recogniser
from kb_app.dispatch.resemblance import CallExamples
from kb_app.content.model import Snapshot, config_path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
#: The tuning sets (the first, then the second to the forty-third) and the held-out ones.
TUNING_SETS = 54
SETS = {"tune": DATA / "intake_tune.yaml",
        **{f"tune {n}": DATA / f"intake_tune_{n}.yaml" for n in range(2, TUNING_SETS + 1)},
        "holdout": DATA / "intake_holdout.yaml",
        **{f"holdout {n}": DATA / f"intake_holdout_{n}.yaml" for n in range(2, 8)}}
HELD_OUT = tuple(name for name in SETS if name.startswith("holdout"))
APPEALS = ROOT.parent / "shared" / "eval" / "appeals_dev.jsonl"
#: The last revision whose intake rules matched exact phrases only.
BASELINE_REV = "0c2b3a8"


def items(path: Path) -> list[dict]:
    """The items of a set, each with ``text``, ``line`` (a string; 'none' for no emergency) and ``lines``
    (every line that is right: ``line`` and ``also``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for i in data["items"]:
        line = str(i["line"] or "none")
        rows.append({"text": str(i["text"]), "line": line, "lines": [line, *(str(x) for x in i.get("also") or [])]})
    return rows


def product(snap: Snapshot):
    """Classify with the product: (line or 'none', state) for a text."""
    def classify(text: str) -> tuple[str, str]:
        rule, finding, _other = intake(snap, text)
        if rule is not None and rule.action == "transfer":
            return rule.transfer_to, finding.state if finding else "emergency"
        return "none", ""
    return classify


def exact_phrase(rules):
    """Classify as before: the first rule whose trigger phrase occurs, transfer rules included."""
    def classify(text: str) -> tuple[str, str]:
        rule = match_rule(text, rules)
        if rule is not None and rule.action == "transfer":
            return rule.transfer_to, "emergency"
        return "none", ""
    return classify


def baseline_rules(rev: str):
    """The intake rules at a revision of this repository, or None when git cannot show them."""
    proc = subprocess.run(["git", "show", f"{rev}:{config_path('intake_rules')}"], cwd=ROOT, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        return None
    return (yaml.safe_load(proc.stdout) or {}).get("rules") or []


def score(classify, rows: list[dict]) -> dict:
    """Right-line rate (and confirmed share) over emergencies, false-alarm rate over the others."""
    urgent = [r for r in rows if r["line"] != "none"]
    calm = [r for r in rows if r["line"] == "none"]
    right, confirmed, misses, alarms = 0, 0, [], []
    for r in urgent:
        line, state = classify(r["text"])
        if line in r["lines"]:
            right += 1
            confirmed += state == "emergency"
        else:
            misses.append((r["text"], r["line"], line))
    for r in calm:
        line, state = classify(r["text"])
        if line != "none":
            alarms.append((r["text"], "none", f"{line} {state}"))
    return {"emergencies": len(urgent), "others": len(calm), "right": right / max(len(urgent), 1),
            "confirmed": confirmed / max(len(urgent), 1), "false_alarms": len(alarms) / max(len(calm), 1),
            "misses": misses, "alarms": alarms}


def appeals_alarms(classify) -> tuple[int, list]:
    if not APPEALS.exists():
        return 0, []
    rows = [json.loads(line) for line in APPEALS.read_text(encoding="utf-8").splitlines() if line.strip()]
    raised = []
    for m in rows:
        text = f"{m['title']}。{m['message']}"
        line, state = classify(text)
        if line != "none":
            raised.append((text[:80], "none", f"{line} {state}"))
    return len(rows), raised


def evaluate(baseline_rev: str = BASELINE_REV) -> dict:
    """Every figure: per set, for the product and (when available) the exact-phrase baseline."""
    snap = Snapshot.from_tree(ROOT)
    classifiers = {"product": product(snap)}
    old = baseline_rules(baseline_rev)
    if old is not None:
        classifiers["exact phrases"] = exact_phrase(old)
    out = {name: {s: score(fn, items(path)) for s, path in SETS.items()} for name, fn in classifiers.items()}
    for name, fn in classifiers.items():
        out[name]["appeals"] = appeals_alarms(fn)
    return out


def recogniser_with(snap: Snapshot, examples: list[tuple[str, str]], ordinary: list[str]):
    """Classify with the sample's event words and a given set of example calls (see ``leave_out``)."""
    config = snap.config("intake_rules", {})
    rec = Recogniser(config.get("emergency"), config.get("rules"), CallExamples(examples, ordinary))

    def classify(text: str) -> tuple[str, str]:
        finding = rec.recognise(text)
        return (finding.line, finding.state) if finding is not None and finding.alarm else ("none", "")
    return classify


def leave_out(snap: Snapshot | None = None) -> dict:
    """How the reading by resemblance does on calls it did not learn from, without the held-out sets: each
    tuning set read with examples learnt from the other tuning sets only (``sets``: with and without the
    examples; the event words were tuned on all but the seventh), and the catalogue's examples — ordinary
    requests — read in two halves by entry, each learnt from the other (``catalogue``: alarms raised)."""
    snap = snap or Snapshot.from_tree(ROOT)
    tunes = [s for s in SETS if s not in HELD_OUT]
    rows = {s: items(SETS[s]) for s in tunes}
    directory = list(snap.directory())
    words_only = recogniser_with(snap, [], [])
    out = {"sets": {}}
    for s in tunes:
        learnt = [(r["text"], r["line"]) for t in tunes if t != s for r in rows[t]]
        out["sets"][s] = {"without": score(words_only, rows[s]),
                          "with": score(recogniser_with(snap, learnt, ordinary_requests(snap)), rows[s])}
    every = [(r["text"], r["line"]) for t in tunes for r in rows[t]]
    raised = {"without": 0, "with": 0}
    for half in (0, 1):
        learnt = [e for i, e in enumerate(directory) if i % 2 != half]
        read = [x for i, e in enumerate(directory) if i % 2 == half for x in e.examples]
        with_examples = recogniser_with(snap, every, ordinary_requests(snap, learnt))
        raised["with"] += sum(with_examples(x)[0] != "none" for x in read)
        raised["without"] += sum(words_only(x)[0] != "none" for x in read)
    out["catalogue"] = {"examples": sum(len(e.examples) for e in directory), **raised}
    return out


def print_leave_out(result: dict):
    print("reading by resemblance, each tuning set left out of the examples in turn")
    print(f"{'set':>9}{'right line':>24}{'false alarms':>24}")
    sets = result["sets"]
    for s, r in sets.items():
        print(f"{s:>9}{r['without']['right']:>13.1%} -> {r['with']['right']:<6.1%}"
              f"{r['without']['false_alarms']:>13.1%} -> {r['with']['false_alarms']:<6.1%}")
    mean = {k: {m: sum(r[k][m] for r in sets.values()) / len(sets) for m in ("right", "false_alarms")}
            for k in ("without", "with")}
    print(f"{'mean':>9}{mean['without']['right']:>13.1%} -> {mean['with']['right']:<6.1%}"
          f"{mean['without']['false_alarms']:>13.1%} -> {mean['with']['false_alarms']:<6.1%}")
    c = result["catalogue"]
    print(f"catalogue examples (ordinary requests, halves learnt from each other): alarms {c['without']} -> "
          f"{c['with']} of {c['examples']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the misses and false alarms")
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="revision with the exact-phrase rules")
    parser.add_argument("--leave-out", action="store_true",
                        help="the reading by resemblance on calls it did not learn from (tuning sets left out in turn)")
    args = parser.parse_args(argv)
    if args.leave_out:
        print_leave_out(leave_out())
        return 0
    results = evaluate(args.baseline_rev)
    print(f"{'':16}{'set':>9}{'emerg.':>8}{'others':>8}{'right line':>12}{'confirmed':>11}{'false alarms':>14}")
    for name, by_set in results.items():
        for s in SETS:
            r = by_set[s]
            print(f"{name:16}{s:>9}{r['emergencies']:>8}{r['others']:>8}{r['right']:>12.1%}{r['confirmed']:>11.1%}"
                  f"{r['false_alarms']:>14.1%}")
        n, raised = by_set["appeals"]
        if n:
            print(f"{name:16}{'appeals':>9}{'':>8}{n:>8}{'':>12}{'':>11}{len(raised) / n:>14.1%}  (real messages)")
    if "exact phrases" not in results:
        print(f"(baseline unavailable: git cannot show {args.baseline_rev})")
    short = [f"{s}: right line {held['right']:.1%}, false alarms {held['false_alarms']:.1%}"
             for s, held in ((s, results["product"][s]) for s in HELD_OUT)
             if held["right"] < 0.95 or held["false_alarms"] > 0.05]
    verdict = f"NOT met ({'; '.join(short)})" if short else "met"
    print(f"held-out targets (right line >= 95%, false alarms <= 5%): {verdict}")
    if args.show:
        for name, by_set in results.items():
            for s, r in [(s, by_set[s]) for s in SETS] + [("appeals", {"misses": [], "alarms": by_set["appeals"][1]})]:
                for text, want, got in r["misses"] + r["alarms"]:
                    print(f"[{name}/{s}] want {want}, got {got}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
