"""benchmarks/quality.py's judgement: evaluation chunks, the no-collapse rule and the
targets, on hand-made curves (the training itself is a benchmark, not a test)."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
import quality  # benchmarks/ is not a package: imported from its folder


def _point(minutes, fid, recall=0.5, grown=True, **extra):
    return {"minutes": minutes, "fid": fid, "recall": recall, "grown": grown, **extra}


def test_chunks_add_up_to_the_budget():
    assert quality._chunks(5, None) == [1.0] * 5
    assert quality._chunks(20, 6) == [6, 6, 6, 2]
    assert sum(quality._chunks(0.3, None)) == pytest.approx(0.3)
    assert quality._chunks(2, 5) == [2]


def test_collapse_rule_ignores_the_first_quarter_and_growth_but_not_a_late_rise():
    early_rise = [_point(1, 100), _point(2, 200), _point(3, 90), _point(4, 80), _point(5, 79)]
    held, largest = quality.collapse_check(early_rise, budget=5)
    assert held and largest < 1.0  # 200 at minute 2 is past the first quarter, then it falls
    # 80 -> 101 is a rise of 26%: more than the 25% allowed
    late_rise = [_point(2, 90), _point(3, 80), _point(4, 101), _point(5, 70)]
    held, largest = quality.collapse_check(late_rise, budget=5)
    assert not held and largest == pytest.approx(101 / 80)
    # a progressive model's points before its last growth do not count
    growing = [_point(6, 50, grown=False), _point(8, 120, grown=False), _point(10, 60),
               _point(12, 55)]
    assert quality.collapse_check(growing, budget=20)[0]


def test_verdict_checks_every_target_and_compares_with_the_reference_at_equal_time():
    floor = 10.0
    results = {"reference-dcgan/0": {"points": [_point(2.5, 40), _point(5.0, 16.0)]}}
    entry = {"seed": "0", "points": [_point(2.5, 30, 0.75), _point(5.2, 12.9, 0.72)]}
    checks = dict(quality.verdict("dcgan", entry, floor, {**results, "dcgan/0": entry}))
    assert all(checks.values()), checks  # 12.9 <= 13, recall 0.72, below 16.0, no rise
    worse = {"seed": "0", "points": [_point(2.5, 30, 0.75), _point(5.2, 13.1, 0.69)]}
    failed = [text for text, ok in quality.verdict("dcgan", worse, floor, results) if not ok]
    assert len(failed) == 2 and any("FID <=" in t for t in failed) \
        and any("recall" in t for t in failed)
    cgan = {"seed": "0", "points": [_point(5, 19, label_accuracy=0.94)]}
    failed = [text for text, ok in quality.verdict("cgan", cgan, floor, {}) if not ok]
    assert failed == ["label accuracy >= 0.95"]
    # a curve that never rises but whose samples cover nothing has collapsed all the same
    flat = {"seed": "0", "points": [_point(10, 240, 0.0), _point(20, 241, 0.0)]}
    failed = [text for text, ok in quality.verdict("stylegan", flat, floor, {}) if not ok]
    assert any(text.startswith("no collapse") for text in failed)
