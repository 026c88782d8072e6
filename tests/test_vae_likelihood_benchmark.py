"""benchmarks/vae_likelihood.py's report: the times of alternating repeats become
medians with their ranges, and the ratios are median against median (the trainings
are a benchmark, not a test: the runs here are made up)."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
import vae_likelihood  # benchmarks/ is not a package: imported from its folder


def _genzoo(seconds_20, seconds_100):
    return [{"epochs": 20, "nll": 94.3, "seconds": seconds_20, "steps_seconds": seconds_20 - 5},
            {"epochs": 100, "nll": 90.4, "seconds": seconds_100,
             "steps_seconds": seconds_100 - 20}]


def _pythae(seconds_20, seconds_100):
    return [{"epochs": 20, "nll": 94.5, "seconds": seconds_20},
            {"epochs": 100, "nll": 90.7, "seconds": seconds_100}]


def test_times_are_medians_of_the_repeats_and_ratios_compare_medians():
    runs_genzoo = [_genzoo(20, 90), _genzoo(30, 80), _genzoo(22, 85)]
    runs_pythae = [_pythae(21, 100), _pythae(25, 110), _pythae(40, 95)]
    genzoo = vae_likelihood.median_rows(runs_genzoo)
    pythae = vae_likelihood.median_rows(runs_pythae)
    ratios = vae_likelihood.paired_ratios(runs_genzoo, runs_pythae)
    assert [round(r, 3) for r in ratios[0]] == [0.952, 1.2, 0.55]
    assert [row["seconds"] for row in genzoo] == [22, 85]
    assert genzoo[0]["seconds_range"] == (20, 30) and genzoo[0]["steps_seconds"] == 17
    assert [row["seconds"] for row in pythae] == [25, 100]
    text = vae_likelihood.render(genzoo, pythae, "a machine", 3, ratios)
    assert "| 20 | 94.30 | 94.50 | 22 (20-30) | 25 (21-40) | 17 (15-25) |" in text
    assert "alternate 3 times" in text
    assert "20 epochs: genzoo's NLL is at most pythae's (-0.20 nats)" in text
    assert "takes 0.88x pythae's time" in text and "takes 0.85x pythae's time" in text
    assert "repeat by repeat 0.95x, 1.20x, 0.55x (median 0.95x)" in text
    assert text.startswith(vae_likelihood.START_MARKER)
    assert text.rstrip().endswith(vae_likelihood.END_MARKER)
