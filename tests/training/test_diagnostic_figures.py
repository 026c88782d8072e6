"""diagnostics.png from a history, and the 1-D density figure."""

import numpy as np
from PIL import Image

from keras_genzoo.data.toy1d import MIXTURES, sample_mixture
from keras_genzoo.metrics.optimal_discriminator import density_view
from keras_genzoo.training.diagnostic_figures import (
    plot_diagnostics,
    read_columns,
    save_density_figure,
)


def _history(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(
        ",".join(str(v) for v in row) + "\n" for row in rows))
    return path


def test_diagnostics_need_the_gan_columns(tmp_path):
    gan = _history(tmp_path / "gan.csv",
                   ["epoch", "step", "d_loss", "d_real", "d_fake", "d_accuracy", "g_grad_norm",
                    "js_divergence"],
                   [[1, 10, 1.2, 0.9, 0.1, 0.95, 0.3, 0.6], [2, 20, 1.0, 1.0, 0.0, 1.0, 1e-4, ""]])
    columns = read_columns(gan)
    assert columns["step"].tolist() == [10.0, 20.0] and np.isnan(columns["js_divergence"][1])
    out = plot_diagnostics(gan, tmp_path / "diagnostics.png", title="run")
    assert out.is_file() and Image.open(out).size[0] > 3 * Image.open(out).size[1]
    # critics' raw scores (outside [0, 1]) are drawn too
    wgan = _history(tmp_path / "wgan.csv",
                    ["epoch", "step", "d_real", "d_fake", "d_accuracy", "g_grad_norm"],
                    [[1, 5, 7.9, -3.9, 0.9, 4.0]])
    assert plot_diagnostics(wgan, tmp_path / "wgan.png").is_file()
    # an autoencoder's history has none of the columns: no figure
    ae = _history(tmp_path / "ae.csv", ["epoch", "step", "loss"], [[1, 5, 0.1]])
    assert plot_diagnostics(ae, tmp_path / "ae.png") is None
    assert not (tmp_path / "ae.png").exists()


def test_density_figure_is_written(tmp_path):
    mixture = MIXTURES["skewed"]
    samples = sample_mixture(mixture, 2500, seed=0)[0] * 0.5
    view = density_view(mixture, samples, discriminator=lambda x: 1 / (1 + np.exp(-x[:, 0])))
    out = save_density_figure(view, tmp_path / "figure.png", title="skewed")
    width, height = Image.open(out).size
    assert width > 1.5 * height
