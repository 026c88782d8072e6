"""The reconstruction field of a denoising autoencoder on a 2-D curve.

Trains ``denoising-ae --preset circle`` (or ``--dataset toy2d:spiral``) through the
real genzoo trainer, draws ``g(f(x)) - x`` over the plane with
``genzoo sample``'s figure (``docs/images/denoising-ae_circle_field.png``) and prints
what the figure should show (Alain & Bengio 2014; Deep Learning 14.5.1): on 2,000
points off the curve (at a distance 0.1 to 0.8 from it) the share whose field points
towards the nearest curve point, and the mean field length on the curve against off it.

    python benchmarks/denoising_field.py [--dataset toy2d:circle] [--out-dir /tmp/dae_field]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="toy2d:circle")
    parser.add_argument("--out-dir", type=pathlib.Path, default=pathlib.Path("/tmp/dae_field"))
    parser.add_argument("--figure", type=pathlib.Path)
    args = parser.parse_args(argv)

    import numpy as np

    from keras_genzoo import runs
    from keras_genzoo.commands.sample import point_autoencoder_figure
    from keras_genzoo.data.toy2d import POINT_SETS
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    name = args.dataset.split(":", 1)[1]
    figure = args.figure or REPO / "docs" / "images" / f"denoising-ae_{name}_field.png"
    plan = plan_lib.resolve_plan("denoising-ae", preset="circle", dataset=args.dataset,
                                 out_dir=str(args.out_dir / name))
    result = trainer.train(plan, verbose=0)
    model, saved = runs.load_trained_model(plan.out_dir)
    point_autoencoder_figure(model, saved, figure)

    curve = POINT_SETS[name].clean(20_000)
    rng = np.random.default_rng(0)
    base = curve[rng.integers(0, len(curve), 2000)]
    off = base + rng.normal(size=base.shape) * rng.uniform(0.1, 0.8, (2000, 1)) / np.sqrt(2)
    nearest = curve[np.argmin(((off[:, None] - curve[None, ::10]) ** 2).sum(-1), axis=1) * 10]
    distance = np.linalg.norm(off - nearest, axis=1)
    keep = distance > 0.1  # clearly off the curve
    field = model.reconstruction_field(off[keep].astype(np.float32))
    towards = np.mean(np.sum(field * (nearest[keep] - off[keep]), axis=1) > 0)
    on = np.linalg.norm(model.reconstruction_field(curve[::20]), axis=1).mean()
    off_length = np.linalg.norm(field, axis=1).mean()
    print(f"{args.dataset}: {result.steps} steps; {keep.sum()} points off the curve, "
          f"{towards:.1%} of the arrows point towards it; mean |g(f(x)) - x| on the curve "
          f"{on:.3f}, off it {off_length:.3f} (mean distance {distance[keep].mean():.3f})")
    print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
