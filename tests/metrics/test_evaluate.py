"""The evaluation plumbing: metric names, the reference cache, eval.json, and the
analytic anchor that the reference scored against itself is perfect."""

import json
import math

import numpy as np
import pytest

from keras_genzoo.commands import eval as eval_command
from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics import evaluate as evaluate_lib
from keras_genzoo.metrics import features as features_lib
from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator, parse_metrics


class _CountingExtractor(features_lib.FeatureExtractor):
    """Features = per-image mean of 4 quadrants: cheap, and counts what it embeds."""

    spec = identity = "counting"
    has_probabilities = True

    def __init__(self):
        self.embedded = 0

    def features_and_probabilities(self, images):
        self.embedded += len(images)
        h = images.shape[1] // 2
        quads = [images[:, :h, :h], images[:, :h, h:], images[:, h:, :h], images[:, h:, h:]]
        features = np.stack([q.mean(axis=(1, 2, 3)) for q in quads], axis=1)
        probabilities = np.full((len(images), 10), 0.1)
        return features.astype(np.float32), probabilities


@pytest.fixture
def counting(monkeypatch):
    extractor = _CountingExtractor()
    # the evaluator's own reference to the factory (it imports the name)
    monkeypatch.setattr(evaluate_lib, "make_extractor", lambda spec, **_: extractor)
    return extractor


def _evaluator(tmp_path, metrics="fid,kid,prdc,is", num=60, **kwargs):
    settings = EvalSettings(metrics=metrics, features="counting", num=num, dataset="digits",
                            split="all", cache_dir=str(tmp_path / "cache"), kid_subset_size=50,
                            is_splits=2, **kwargs)
    return Evaluator(settings, image_size=16, channels=1)


def test_metric_names_are_checked_and_deduplicated():
    assert parse_metrics("FID, kid,fid,") == ("fid", "kid")
    assert parse_metrics(["prdc"]) == ("prdc",)
    with pytest.raises(ConfigError, match="valid metrics: fid, kid, is, prdc, recon, modes"):
        parse_metrics("fid,psnr")
    with pytest.raises(ConfigError, match="empty"):
        parse_metrics(" , ")


def test_the_reference_against_itself_scores_perfectly(tmp_path, counting):
    evaluator = _evaluator(tmp_path)
    images, _ = evaluator.reference()
    assert len(images) == 60
    scores = evaluator.score(images)
    assert scores["fid"] == pytest.approx(0.0, abs=1e-6)
    assert scores["precision"] == scores["recall"] == scores["coverage"] == 1.0
    assert scores["is"] == pytest.approx(1.0)  # constant class probabilities
    # a shifted set is clearly worse
    worse = evaluator.score(np.clip(images + 0.3, 0, 1))
    assert worse["fid"] > 0.01 and worse["precision"] < 0.5
    # KID of a set against itself is slightly negative (the unbiased estimator drops only
    # the within-set diagonals), and tiny next to a real difference
    assert worse["kid"] > 20 * abs(scores["kid"])


def test_reference_features_are_cached_per_setting(tmp_path, counting):
    first = _evaluator(tmp_path)
    first.score(first.reference()[0][:30])
    assert counting.embedded == 60 + 30  # reference + generated
    second = _evaluator(tmp_path)
    second.score(second.reference()[0][:30])
    assert counting.embedded == 60 + 30 + 30  # the reference came from the cache
    other = _evaluator(tmp_path, num=50)  # another count is another cache entry
    other.score(other.reference()[0][:30])
    assert counting.embedded == 60 + 30 + 30 + 50 + 30
    assert len(list((tmp_path / "cache" / "reference").glob("*.npz"))) == 2


def test_requests_that_cannot_work_fail_before_any_work(tmp_path, counting):
    with pytest.raises(ConfigError, match="k = 5"):
        _evaluator(tmp_path, metrics="prdc", num=5)
    with pytest.raises(ConfigError, match="point models"):
        _evaluator(tmp_path, metrics="modes")
    with pytest.raises(ConfigError, match="autoencoders"):
        _evaluator(tmp_path, metrics="recon")
    with pytest.raises(ConfigError, match="--num must be at least 10"):
        Evaluator(EvalSettings(metrics="is", features="counting", num=5, dataset="digits"),
                  image_size=16, channels=1)
    with pytest.raises(ConfigError, match="positive"):
        _evaluator(tmp_path, num=0)


def test_eval_file_merges_and_stays_strict_json(tmp_path):
    out = tmp_path / "eval.json"
    out.write_text("{not json")  # a damaged file is replaced, not a crash
    setting = {"features": "random", "num": 10, "dataset": "digits", "split": "test",
               "image_size": 16, "channels": 1, "seed": 0}
    eval_command.write_eval_file(out, [{"metric": "fid", "value": 3.0, **setting}])
    eval_command.write_eval_file(out, [{"metric": "fid", "value": 2.0, **setting, "num": 20}])
    eval_command.write_eval_file(out, [{"metric": "fid", "value": 1.0, **setting}])
    rows = json.loads(out.read_text())["evaluations"]
    assert sorted((row["num"], row["value"]) for row in rows) == [(10, 1.0), (20, 2.0)]
    # PSNR of a perfect reconstruction is infinite: null in strict JSON, spelled beside it
    assert eval_command._json_value(math.inf) == {"value": None, "value_text": "inf"}
    assert eval_command._json_value(2) == {"value": 2}
