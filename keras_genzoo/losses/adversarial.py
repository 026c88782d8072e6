"""Adversarial losses, PER EXAMPLE (reduce them with the model's global-batch average).

Notation: ``real_logits = D(x)`` and ``fake_logits = D(G(z))`` are the
discriminator's raw outputs, shape ``[batch]`` or ``[batch, 1]``, any float
dtype: pre-sigmoid logits for the logistic losses (``D = sigmoid(logit)`` is
then a probability), unbounded critic scores for the Wasserstein and hinge
losses. Every loss is returned as float32 ``[batch]``.

Four losses, each with a discriminator side and a generator side, both to be
MINIMISED by their network:

============== ======================================= ==========================
name           discriminator / critic                  generator
============== ======================================= ==========================
minimax        ``-log D(x) - log(1 - D(G(z)))``         ``log(1 - D(G(z)))``
non_saturating ``-log D(x) - log(1 - D(G(z)))``         ``-log D(G(z))``
wasserstein    ``D(G(z)) - D(x)``                      ``-D(G(z))``
hinge          ``relu(1 - D(x)) + relu(1 + D(G(z)))``  ``-D(G(z))``
============== ======================================= ==========================

:func:`discriminator_loss` and :func:`generator_loss` pick one by name; the
named functions below are the definitions.
"""

import tensorflow as tf

LOSS_NAMES = ("minimax", "non_saturating", "wasserstein", "hinge")
#: losses in which D is a probability ``sigmoid(logit)``: label smoothing applies to these only
LOGISTIC_LOSSES = ("minimax", "non_saturating")


def _flat(logits):
    return tf.reshape(tf.cast(logits, tf.float32), [-1])


# ------------------------------------------------ logistic (Goodfellow et al. 2014)
def discriminator_logistic_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """``-log D(x) - log(1 - D(G(z)))`` (Goodfellow et al. 2014, eq. 1), per example.

    Written with softplus: ``-log sigmoid(l) = softplus(-l)`` and
    ``-log(1 - sigmoid(l)) = softplus(l)``, which never overflows.
    ``label_smoothing`` is one-sided (real targets ``1 - s``; Salimans et al. 2016).
    """
    real, fake = _flat(real_logits), _flat(fake_logits)
    real_target = 1.0 - label_smoothing
    real_term = real_target * tf.nn.softplus(-real) + (1.0 - real_target) * tf.nn.softplus(real)
    return real_term + tf.nn.softplus(fake)


def generator_minimax_loss(fake_logits):
    """``log(1 - D(G(z))) = -softplus(logit)`` (Goodfellow et al. 2014, eq. 1), per example.

    The generator's side of the original two-player game, to be MINIMISED.
    Its derivative w.r.t. the logit is ``-sigmoid(logit) = -D(G(z))``, which
    vanishes when D confidently rejects the samples (``D(G(z)) -> 0``), i.e.
    early in training: the saturation that section 3 of the paper warns about.
    """
    return -tf.nn.softplus(_flat(fake_logits))


def generator_non_saturating_loss(fake_logits):
    """``-log D(G(z))`` (Goodfellow et al. 2014, section 3), per example.

    Same fixed point as the minimax loss but strong gradients early in training,
    when D rejects the generator's samples confidently.
    """
    return tf.nn.softplus(-_flat(fake_logits))


# ------------------------------------------------ Wasserstein (Arjovsky et al. 2017)
def wasserstein_critic_loss(real_scores, fake_scores):
    """``L_C = -(D(x) - D(G(z)))``, per example (Arjovsky et al. 2017, Algorithm 1, line 5).

    The critic maximises ``D(x) - D(G(z))``, whose supremum over 1-Lipschitz
    critics is the Wasserstein-1 distance (Kantorovich-Rubinstein duality,
    the paper's section 3); minimising the negation is the same thing.
    """
    return _flat(fake_scores) - _flat(real_scores)


def wasserstein_generator_loss(fake_scores):
    """``L_G = -D(G(z))``, per example (Arjovsky et al. 2017, Algorithm 1, line 10)."""
    return -_flat(fake_scores)


# ------------------------------------------------ hinge (Lim & Ye 2017; Miyato et al. 2018)
def hinge_discriminator_loss(real_scores, fake_scores):
    """``relu(1 - D(x)) + relu(1 + D(G(z)))``, per example.

    Lim & Ye 2017 (Geometric GAN, section 3); Miyato et al. 2018 (spectral
    normalization, section 4). Scores already beyond the margin (real above
    1, fake below -1) contribute no loss and no gradient.
    """
    real, fake = _flat(real_scores), _flat(fake_scores)
    return tf.nn.relu(1.0 - real) + tf.nn.relu(1.0 + fake)


def hinge_generator_loss(fake_scores):
    """``-D(G(z))``, per example (Miyato et al. 2018, section 4): the generator side of the hinge GAN."""
    return -_flat(fake_scores)


# ------------------------------------------------ dispatch by name
_GENERATOR_LOSSES = {
    "minimax": generator_minimax_loss,
    "non_saturating": generator_non_saturating_loss,
    "wasserstein": wasserstein_generator_loss,
    "hinge": hinge_generator_loss,
}

_DISCRIMINATOR_LOSSES = {
    # both logistic games train D the same way; they differ on the generator's side only
    "minimax": discriminator_logistic_loss,
    "non_saturating": discriminator_logistic_loss,
    "wasserstein": wasserstein_critic_loss,
    "hinge": hinge_discriminator_loss,
}


def _check_name(name: str) -> None:
    if name not in LOSS_NAMES:
        raise ValueError(f"unknown adversarial loss {name!r}; choose one of {', '.join(LOSS_NAMES)}")


def discriminator_loss(name: str, real_logits, fake_logits, label_smoothing: float = 0.0):
    """The discriminator's (critic's) per-example loss for the loss called ``name``.

    ``label_smoothing`` (a Python number, ``0 <= s < 1``) is one-sided
    smoothing of the real targets (Salimans et al. 2016, section 3.4); it is
    defined only for the logistic losses, where D outputs a probability.
    """
    _check_name(name)
    if isinstance(label_smoothing, (int, float)) and not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    if name in LOGISTIC_LOSSES:
        return discriminator_logistic_loss(real_logits, fake_logits, label_smoothing)
    if label_smoothing != 0:
        raise ValueError(
            f"label_smoothing applies to the logistic losses ({', '.join(LOGISTIC_LOSSES)}), "
            f"not to {name!r}"
        )
    return _DISCRIMINATOR_LOSSES[name](real_logits, fake_logits)


def generator_loss(name: str, fake_logits):
    """The generator's per-example loss for the loss called ``name``."""
    _check_name(name)
    return _GENERATOR_LOSSES[name](fake_logits)
