"""Slow tier: the README's quick start produces recognisable digits.

A logistic-regression classifier trained on the real 8x8 digits judges the
quick start's samples (downsampled to 8x8): most must be classified
confidently, and the samples must spread over most of the ten classes
(a collapsed generator fails the second check).
"""

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_quickstart_dcgan_samples_are_recognisable_digits(tmp_path):
    import tensorflow as tf
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    plan = plan_lib.resolve_plan("dcgan", out_dir=str(tmp_path / "dcgan"))
    trainer.train(plan, verbose=2)
    model, _ = runs.load_trained_model(tmp_path / "dcgan")
    samples = model.sample(500, seed=0)
    small = tf.image.resize(samples, [8, 8], antialias=True).numpy().reshape(500, 64) * 16.0

    digits = load_digits()
    classifier = LogisticRegression(max_iter=2000).fit(digits.data, digits.target)
    probabilities = classifier.predict_proba(small)
    confident = probabilities.max(axis=1) > 0.8
    classes = np.bincount(probabilities.argmax(axis=1), minlength=10)
    print(f"confident: {confident.mean():.2f}; classes: {classes.tolist()}")
    assert confident.mean() > 0.5
    assert (classes >= 10).sum() >= 8
