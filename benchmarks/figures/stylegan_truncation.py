"""The truncation trick on a trained StyleGAN run: one row per psi, the same latents.

Karras, Laine & Aila 2019 (arXiv:1812.04948), appendix B and figure 8:
``w' = w_avg + psi (w - w_avg)``. Row ``psi`` of the figure holds exactly
what ``genzoo sample RUN --num N --seed S --truncation psi`` draws (the same
``StyleGAN.sample`` call on the EMA generator with its fixed noise), so the
columns are the same ``z`` at decreasing psi: psi = 1 is the untruncated
generator, psi = 0 maps every ``z`` to the average-w image.

    python benchmarks/figures/stylegan_truncation.py /tmp/docs-runs/stylegan
    python benchmarks/figures/stylegan_truncation.py runs/stylegan --psi 1 0.5 0 --num 6
"""

from __future__ import annotations

import argparse
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "docs" / "images" / "stylegan_truncation.png"


def truncation_rows(run_dir, psis, num: int, seed: int):
    """``{psi: images [num, H, W, C] in [0, 1]}``, the real images the run has
    seen and its current resolution."""
    from keras_genzoo.models.stylegan.model import check_truncation
    from keras_genzoo.runs import load_trained_model

    model, saved = load_trained_model(run_dir)
    if not hasattr(model, "truncate"):
        raise SystemExit(f"{run_dir} is a {saved['model']} run; this figure needs stylegan")
    rows = {psi: model.sample(num, seed=seed, truncation=check_truncation(psi)) for psi in psis}
    # a restored run has no optimizers (and so no step counter); images_seen is restored
    return rows, int(model.images_seen.numpy()), model.current_size


def draw(rows, title: str, out: pathlib.Path) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from keras_genzoo.training.images import image_grid

    figure, axes = plt.subplots(len(rows), 1, figsize=(1.0 * len(next(iter(rows.values()))) + 1,
                                                        1.05 * len(rows) + 0.4), squeeze=False)
    for axis, (psi, images) in zip(axes[:, 0], rows.items()):
        strip = image_grid(images, columns=len(images))
        axis.imshow(np.squeeze(strip), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_ylabel(f"psi = {psi:g}", rotation=0, ha="right", va="center", fontsize=9)
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="a stylegan run directory")
    parser.add_argument("--psi", type=float, nargs="+", default=[1.0, 0.7, 0.4, 0.0])
    parser.add_argument("--num", type=int, default=8, help="images per row (8)")
    parser.add_argument("--seed", type=int, default=0, help="latent seed, as genzoo sample (0)")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    rows, seen, size = truncation_rows(args.run, args.psi, args.num, args.seed)
    for psi, images in rows.items():
        # how far apart the row's images are: 0 when every z gives the average-w image
        spread = float(images.std(axis=0).mean())
        print(f"psi {psi:g}: mean per-pixel std across the row {spread:.4f}")
    title = f"truncation psi, seed {args.seed}, {size}x{size}, after {seen:,} real images"
    print(draw(rows, title, args.out))


if __name__ == "__main__":
    main()
