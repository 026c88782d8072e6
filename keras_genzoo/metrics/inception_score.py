"""Inception score (IS) from a classifier's class probabilities.

Salimans et al. 2016, "Improved Techniques for Training GANs"
(arXiv:1606.03498), section 4:

    IS = exp( E_x KL( p(y | x) || p(y) ) ),

where p(y | x) is the classifier's prediction for a generated image x and p(y)
the marginal over the generated images. It is 1 when every image gets the same
prediction and reaches the number of classes C when the predictions are
confident (one-hot) and spread evenly over the classes. As in the paper, the
samples are cut into ``splits`` consecutive groups, the score is computed per
group (with that group's own marginal) and the mean and standard deviation over
groups are reported. The value depends on the classifier: only scores from the
same classifier (Inception for "the" IS) and the same N and splits compare.

NumPy only; float64 arithmetic; Python floats out.
"""

import numpy as np

from keras_genzoo.errors import ConfigError


def _probability_rows(probabilities):
    """``[N, C]`` non-negative scores renormalised so that every row sums to 1."""
    array = np.asarray(probabilities, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] == 0:
        raise ConfigError(
            f"probabilities must be a 2-D array [N, classes], got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ConfigError("probabilities contain NaN or infinite values")
    if (array < 0).any():
        raise ConfigError(
            "probabilities contain negative entries (pass softmax outputs, not logits)")
    row_sums = array.sum(axis=1, keepdims=True)
    if (row_sums <= 0).any():
        raise ConfigError(
            f"row {int(np.argmin(row_sums[:, 0]))} of probabilities sums to 0; "
            "every row needs some probability mass")
    # softmax outputs in float32 sum to 1 only within ~1e-7; renormalising makes
    # p(y|x) and the marginal exact distributions, so a perfect case scores exactly
    return array / row_sums


def _score_of_group(conditional):
    """exp of the mean KL(p(y|x) || p(y)) over one group, p(y) being the group's mean row."""
    marginal = conditional.mean(axis=0, keepdims=True)
    # 0 log 0 = 0: where p(y|x) = 0 the term vanishes, so log is taken of 1 there
    # instead of 0 (an exact guard, no eps bias); where p(y|x) > 0 the marginal is
    # at least p(y|x) / group size > 0, so its log is finite.
    positive = conditional > 0
    log_conditional = np.log(np.where(positive, conditional, 1.0))
    log_marginal = np.log(np.where(positive, marginal, 1.0))
    kl_divergences = (conditional * (log_conditional - log_marginal)).sum(axis=1)
    return float(np.exp(kl_divergences.mean()))


def inception_score(probabilities, splits=10):
    """Inception score: mean and standard deviation over ``splits`` groups.

    Args:
        probabilities: ``[N, C]`` class probabilities p(y | x) of N generated
            images (softmax outputs; rows are renormalised to sum to 1).
        splits: number of consecutive groups (``numpy.array_split``: sizes
            differ by at most one when N is not a multiple); 1 <= splits <= N.

    Returns:
        ``(mean, std)`` over groups as Python floats; std is the population one
        (ddof = 0), as in the paper's code.
    """
    conditional = _probability_rows(probabilities)
    count = conditional.shape[0]
    if not 1 <= splits <= count:
        raise ConfigError(
            f"splits must be between 1 and the number of samples ({count}), got {splits}")
    scores = np.array([_score_of_group(group)
                       for group in np.array_split(conditional, splits, axis=0)])
    return float(scores.mean()), float(scores.std())
