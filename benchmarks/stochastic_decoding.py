"""The decoder as a distribution: a VAE's mean images next to draws of p_decoder(x | h).

Trains ``vae --preset dense`` (Bernoulli decoder) through the genzoo trainer and draws
``docs/images/vae_stochastic_decoding.png``: for 10 held-out digits, the input, the
decoder's mean ``g(h)`` at the encoder's mean code, and two draws
``x ~ Bernoulli(g(h))`` (``genzoo sample RUN --stochastic``); then 10 codes from the
prior, their means and two draws each (``--prior --stochastic``). The mean is the
smooth, grey image that most papers show; a draw is what the model's likelihood
actually generates (Goodfellow, Bengio & Courville 2016, Deep Learning, 14.4; Kingma
& Welling 2014, appendix C.1). It prints the share of grey pixels (0.1 < p < 0.9) in
the means and the mean per-pixel disagreement between two draws of the same code.

    python benchmarks/stochastic_decoding.py [--dataset idx:../shared/data/mnist-t10k]
                                             [--epochs 10] [--out-dir /tmp/vae_stochastic]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
COLUMNS = 10


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default=f"idx:{REPO.parent / 'shared/data/mnist-t10k'}")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out-dir", type=pathlib.Path,
                        default=pathlib.Path("/tmp/vae_stochastic"))
    parser.add_argument("--figure", type=pathlib.Path,
                        default=REPO / "docs" / "images" / "vae_stochastic_decoding.png")
    args = parser.parse_args(argv)

    import numpy as np

    from keras_genzoo import runs
    from keras_genzoo.commands.sample import holdout_examples
    from keras_genzoo.training import images as image_io
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    plan = plan_lib.resolve_plan("vae", preset="dense", dataset=args.dataset,
                                 epochs=args.epochs, out_dir=str(args.out_dir))
    result = trainer.train(plan, verbose=0)
    model, _ = runs.load_trained_model(plan.out_dir)
    images, labels = holdout_examples(args.dataset, COLUMNS, model.config.image_size,
                                      model.config.channels)
    means = model.reconstruct(images, labels)
    prior_means, _ = model.prior_samples(COLUMNS, seed=0)
    rows = [images, means, model.draw_from_decoder(means, seed=1),
            model.draw_from_decoder(means, seed=2), prior_means,
            model.draw_from_decoder(prior_means, seed=1),
            model.draw_from_decoder(prior_means, seed=2)]
    image_io.save_grid(np.concatenate(rows), args.figure, COLUMNS)

    grey = np.mean((means > 0.1) & (means < 0.9))
    disagreement = np.mean(model.draw_from_decoder(means, seed=1)
                           != model.draw_from_decoder(means, seed=2))
    print(f"vae dense on {args.dataset}: {result.steps} steps. Rows: 10 held-out inputs; "
          f"decoder means; two Bernoulli draws; 10 prior means; two draws. Means: "
          f"{grey:.1%} of pixels grey (0.1 < p < 0.9); two draws of the same code differ "
          f"in {disagreement:.1%} of pixels")
    print(f"wrote {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
