from .conftest import load_script as load


def load_script():
    return load("eval_dispatch")


def test_dispatch_beats_the_baseline_on_the_dev_messages():
    r = load_script().evaluate()
    assert r["messages"] == 150 and r["entries"] == 517
    # measured: dispatch top-1 0.727, top-3 0.947; baseline top-1 0.513, top-3 0.773
    assert r["dispatch_top3"] > r["baseline_top3"]
    assert r["dispatch_top1"] > r["baseline_top1"]
    assert r["dispatch_top3"] >= 0.90
    assert r["dispatch_top1"] >= 0.68


def test_script_prints_the_table(capsys):
    load_script().main(["--limit", "10"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("10 messages, 517 directory entries")
    assert out[2].startswith("dispatch (kb.dispatch)") and out[3].startswith("baseline (BM25 names)")
