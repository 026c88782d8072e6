"""``genzoo manifold RUN --out FILE.png``: the decoder's tangent directions at held-out
inputs (see :mod:`keras_genzoo.metrics.manifold` for the mathematics); for an
autoencoder of points, its reconstruction field ``g(f(x)) - x`` over the plane."""

from __future__ import annotations

import pathlib

from keras_genzoo import registry, runs
from keras_genzoo.config import check_seed
from keras_genzoo.commands.sample import (check_output_file, holdout_examples,
                                          point_autoencoder_figure)
from keras_genzoo.errors import GenzooError
from keras_genzoo.metrics.manifold import (decoder_tangents, draw_tangent_figure,
                                           single_input_decoder, tangent_strips)


def run(args) -> int:
    out = write_tangent_figure(args.run, args.out, num_inputs=args.num,
                               num_directions=args.directions, seed=args.seed)
    print(f"genzoo: wrote {out}")
    return 0


def write_tangent_figure(run_dir, out_png, *, num_inputs: int = 4, num_directions: int = 3,
                         steps: int = 7, seed: int = 0, scale: float = 0.5) -> pathlib.Path:
    """``genzoo manifold RUN --out FILE.png``: a figure of decoder tangents.

    For each of ``num_inputs`` held-out inputs (chosen like ``genzoo sample``:
    seed 0 the first ones, another seed a random set) one block of
    ``num_directions`` rows: the input and its reconstruction on the left of
    the first row, then in each row the strip ``g(h + t v_k)``, labelled with
    ``s_k``. GAN runs and conditional decoders raise :class:`GenzooError`
    before anything is written. An autoencoder of points (toy2d, toy1d) draws its
    reconstruction field instead, as ``genzoo sample`` does (Alain & Bengio 2014: for a
    denoising autoencoder the arrows point towards the data manifold).
    """
    run_path, out = pathlib.Path(run_dir), pathlib.Path(out_png)
    check_seed(seed)
    saved = runs.read_run_config(run_path)
    spec = registry.get(saved["model"])
    if not spec.load_class().reconstructs:
        raise GenzooError(f"genzoo manifold needs an autoencoder run; {run_dir} is a {spec.kind} "
                          f"({saved['model']})")
    for name, value in (("--num", num_inputs), ("--directions", num_directions)):
        if value <= 0:
            raise GenzooError(f"{name} must be a positive integer, got {value}")
    if steps < 3 or steps % 2 == 0:
        raise GenzooError(f"steps must be an odd number >= 3, got {steps}")
    check_output_file(out, "manifold.png")
    model, saved = runs.load_trained_model(run_path)
    if model.points:
        return point_autoencoder_figure(model, saved, out, seed)
    single_input_decoder(model)
    train = saved.get("train", {})
    inputs, _ = holdout_examples(train.get("dataset", "digits"), num_inputs,
                                 model.config.image_size, model.config.channels, seed=seed,
                                 data_dir=train.get("data_dir"), manual_dir=train.get("manual_dir"))
    strips, t = tangent_strips(model, inputs, num_directions, steps, scale, return_t=True)
    _, singular_values, _ = decoder_tangents(model, inputs, num_directions)
    title = f"{saved['model']} ({saved.get('preset', '')}): decoder tangents g(h + t v_k)"
    return draw_tangent_figure(inputs, model.reconstruct(inputs), strips, t, singular_values, out, title)
