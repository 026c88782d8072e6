"""Tangent directions of the manifold an autoencoder's decoder traces.

Goodfellow, Bengio & Courville 2016, *Deep Learning*, section 14.6
("Learning manifolds with autoencoders", figure 14.6) and 14.7 (Rifai et al.
2011's contractive autoencoder estimates the local tangent planes).

Around an input ``x`` with code ``h = f(x)``, the decoder ``g`` maps a small
neighbourhood of ``h`` onto a patch of the learned manifold. To first order,

    g(h + t v) ~ g(h) + t J_g(h) v,      J_g(h) = d g / d h   (pixels x code)

so the thin SVD ``J_g(h) = U S V^T`` gives, in order of importance, the code
directions ``v_k`` (rows of ``V^T``) that move the image most, by ``s_k`` pixels
(L2) per unit of ``t``, along the image-space tangents ``u_k``. Walking
``g(h + t v_k)`` for a symmetric range of ``t`` shows what each tangent means
(thicker strokes, a shifted loop, ...).

For a linear decoder ``g(h) = W^T h + b`` the Jacobian is the constant
``W^T``, so the tangents are its right singular vectors, the same at every
input (the PCA case of section 14.1); the tests check exactly that.

Scale of ``t`` (:func:`tangent_strips`): by default ``t`` runs over
``[-scale, scale] * ||h||``, i.e. relative to the code norm, so one setting
suits codes of any magnitude (sigmoid codes, unbounded linear codes) and every
direction is walked the same distance in code space -- rows with small
singular values then visibly change less, which is part of what the figure
shows. ``relative_to="pixels"`` instead gives every direction the same
first-order image change: ``t_max = scale * sqrt(P) / s_k``, an RMS change of
``scale`` per pixel.

TensorFlow is imported inside the functions, so importing
:mod:`keras_genzoo.metrics` stays cheap.
"""

from __future__ import annotations

import pathlib

import numpy as np

from keras_genzoo import runs
from keras_genzoo.errors import GenzooError


def single_input_decoder(model):
    decoder = getattr(model, "decoder", None)
    if decoder is None:
        raise GenzooError(f"{getattr(model, 'registry_name', 'this model')} has no decoder; "
                          "manifold tangents need an autoencoder")
    if len(decoder.inputs) != 1:
        raise GenzooError(
            f"manifold tangents need a decoder that takes only the code; the "
            f"{getattr(model, 'registry_name', 'model')} decoder takes {len(decoder.inputs)} "
            "inputs (conditional models are not supported)"
        )
    return decoder


def _codes(model, images) -> np.ndarray:
    codes = model.encode(np.asarray(images, np.float32))
    if isinstance(codes, (tuple, list)):  # an encoder returning (mean, ...): the mean
        codes = codes[0]
    return np.asarray(codes, np.float32)


def decoder_jacobians(model, codes) -> np.ndarray:
    """``J_g(h)`` for each code, float64 ``[N, pixels, code_dim]`` (by ``batch_jacobian``)."""
    import tensorflow as tf

    decoder = single_input_decoder(model)
    codes = tf.convert_to_tensor(np.asarray(codes, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(codes)
        images = tf.cast(decoder(codes, training=False), tf.float32)
    jacobian = tape.batch_jacobian(images, codes)  # [N, H, W, C, code_dim]
    jacobian = np.asarray(jacobian, np.float64)
    return jacobian.reshape(jacobian.shape[0], -1, jacobian.shape[-1])


def decoder_tangents(model, images, num_directions: int = 3):
    """``(codes, singular_values, directions)`` of the decoder at ``h = f(x)``.

    * ``codes``: ``[N, code_dim]``, ``model.encode(images)`` (a VAE's mean);
    * ``singular_values``: ``[N, K]``, the ``K = num_directions`` largest
      singular values of ``J_g(h)``, descending;
    * ``directions``: ``[N, K, code_dim]``, the matching right singular
      vectors ``v_k`` (unit norm, in code space).

    Singular vectors are defined up to sign; each ``v_k`` is oriented so that
    its image-space tangent ``J_g(h) v_k`` has a non-negative pixel sum
    (walking ``+t`` adds ink on average), which makes figures reproducible.
    """
    single_input_decoder(model)
    codes = _codes(model, images)
    code_dim = codes.shape[-1]
    if not 1 <= num_directions <= code_dim:
        raise GenzooError(f"--directions must be between 1 and the code size {code_dim}, "
                          f"got {num_directions}")
    jacobians = decoder_jacobians(model, codes)
    _, singular_values, vt = np.linalg.svd(jacobians, full_matrices=False)
    directions = vt[:, :num_directions, :]  # [N, K, code_dim]
    tangents = np.einsum("npc,nkc->nkp", jacobians, directions)
    signs = np.where(tangents.sum(axis=-1) < 0, -1.0, 1.0)
    directions = directions * signs[..., None]
    return codes, singular_values[:, :num_directions].astype(np.float32), \
        directions.astype(np.float32)


def step_sizes(codes, singular_values, steps: int, scale: float, relative_to: str,
               pixels: int) -> np.ndarray:
    """The ``t`` values ``[N, K, steps]`` of :func:`tangent_strips` (see the module docstring)."""
    unit = np.linspace(-1.0, 1.0, steps)
    if relative_to == "code":
        t_max = scale * np.linalg.norm(codes, axis=-1)[:, None] * np.ones_like(singular_values)
    elif relative_to == "pixels":
        t_max = scale * np.sqrt(pixels) / np.maximum(singular_values, 1e-12)
    else:
        raise GenzooError(f"relative_to must be 'code' or 'pixels', got {relative_to!r}")
    return t_max[..., None] * unit


def tangent_strips(model, images, num_directions: int = 3, steps: int = 7, scale: float = 0.5,
                   relative_to: str = "code", *, return_t: bool = False):
    """Decoded walks ``g(h + t v_k)`` along the leading decoder tangents.

    Returns ``[N, K, steps, H, W, C]`` (decoder outputs as they are; the
    middle column, ``t = 0``, is exactly the reconstruction ``g(f(x))``), and
    with ``return_t`` also the ``t`` values ``[N, K, steps]``. ``steps`` must
    be odd so that ``t = 0`` is one of the columns. ``t`` spans
    ``[-scale, scale] * ||h||`` (``relative_to="code"``, default) or
    ``[-1, 1] * scale * sqrt(P) / s_k`` (``relative_to="pixels"``).
    """
    if steps < 1 or steps % 2 == 0:
        raise GenzooError(f"steps must be a positive odd number (t = 0 in the middle), got {steps}")
    if not scale > 0:
        raise GenzooError(f"scale must be positive, got {scale}")
    decoder = single_input_decoder(model)
    codes, singular_values, directions = decoder_tangents(model, images, num_directions)
    pixels = int(np.prod(decoder.output_shape[1:]))
    t = step_sizes(codes, singular_values, steps, scale, relative_to, pixels)
    t[..., steps // 2] = 0.0  # exactly, whatever linspace's rounding
    walked = codes[:, None, None, :] + t[..., None] * directions[:, :, None, :]
    flat = walked.reshape(-1, codes.shape[-1]).astype(np.float32)
    decoded = np.asarray(model.decode(flat), np.float32)
    strips = decoded.reshape(*walked.shape[:3], *decoded.shape[1:])
    return (strips, t.astype(np.float32)) if return_t else strips


def draw_tangent_figure(inputs, reconstructions, strips, t, singular_values, out,
                        title) -> pathlib.Path:
    """Each input's block of rows: the input and its reconstruction, then the strips
    ``g(h + t v_k)``, each row labelled with ``s_k`` (written to ``out``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count, directions, steps = strips.shape[:3]
    rows, columns = count * directions, steps + 2
    figure, axes = plt.subplots(rows, columns, figsize=(0.75 * columns + 0.9, 0.75 * rows + 0.6),
                                squeeze=False)

    def show(axis, image):
        image = np.clip(np.asarray(image, np.float32), 0.0, 1.0)
        if image.shape[-1] == 1:
            axis.imshow(image[..., 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        else:
            axis.imshow(image, interpolation="nearest")

    for axis in axes.ravel():
        axis.set_xticks([])
        axis.set_yticks([])
        for spine in axis.spines.values():
            spine.set_visible(False)
    for n in range(count):
        for k in range(directions):
            row = n * directions + k
            if k == 0:
                show(axes[row, 0], inputs[n])
                show(axes[row, 1], reconstructions[n])
                if n == 0:
                    axes[row, 0].set_title("input", fontsize=7)
                    axes[row, 1].set_title("g(f(x))", fontsize=7)
            axes[row, 2].set_ylabel(f"v{k + 1}\ns={singular_values[n, k]:.2g}", fontsize=6,
                                    rotation=0, ha="right", va="center")
            for step in range(steps):
                show(axes[row, 2 + step], strips[n, k, step])
                if k == 0:
                    axes[row, 2 + step].set_title(f"t={t[n, k, step]:+.2g}", fontsize=6)
    figure.suptitle(title, fontsize=8)
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    with runs.atomic_write(out, binary=True) as stream:
        figure.savefig(stream, dpi=110, format="png")
    plt.close(figure)
    return out
