"""``genzoo encode RUN``: a dataset's codes under a trained autoencoder, as ``.npz``
(see :mod:`keras_genzoo.metrics.codes` for what the file holds)."""

from __future__ import annotations

import pathlib

import numpy as np

from keras_genzoo import registry, runs
from keras_genzoo.data import open_source
from keras_genzoo.data.catalog import check_data_dirs
from keras_genzoo.errors import GenzooError
from keras_genzoo.metrics.codes import encode_source, plot_codes_2d


def run(args) -> int:
    out = encode_dataset(args.run, args.dataset, split=args.split, out=args.out, limit=args.limit,
                         data_dir=args.data_dir, manual_dir=args.manual_dir)
    print(f"genzoo: wrote {out}")
    return 0


def encode_dataset(run_dir, dataset=None, *, split="test", out, limit=None, data_dir=None,
                   manual_dir=None) -> pathlib.Path:
    """Encode ``dataset`` (default: the run's own) with the run's encoder; write ``out``.

    ``limit`` keeps the first ``limit`` images of the split (file order, no
    shuffling). ``data_dir`` / ``manual_dir`` default to the run's own (they
    only matter to tensorflow-datasets sources). Raises :class:`GenzooError`
    (one line, nothing written) for a run that is not an autoencoder, a run
    without checkpoints, or a dataset that cannot be opened. Returns ``out``.
    """
    run_dir = pathlib.Path(run_dir)
    out = pathlib.Path(out)
    if limit is not None and (isinstance(limit, bool) or int(limit) <= 0):
        raise GenzooError(f"--limit must be a positive integer, got {limit}")
    saved = runs.read_run_config(run_dir)
    spec = registry.get(saved["model"])
    if not spec.load_class().reconstructs:
        raise GenzooError(
            f"genzoo encode needs an autoencoder run; {run_dir} is a {spec.kind} ({spec.name})"
        )
    if out.exists() and out.is_dir():
        raise GenzooError(f"--out {out} is a directory; give a file name such as codes.npz")
    runs.check_writable(out.parent)

    train = saved.get("train", {})
    dataset = dataset or train.get("dataset") or "digits"
    check_data_dirs(dataset, data_dir, manual_dir)
    model, _ = runs.load_trained_model(run_dir)

    source = open_source(dataset, image_size=model.config.image_size,
                         channels=model.config.channels, split=split,
                         data_dir=data_dir or train.get("data_dir"),
                         manual_dir=manual_dir or train.get("manual_dir"))
    codes, labels = encode_source(model, source, limit)
    arrays = {"codes": codes}
    if source.num_classes is not None:
        arrays["labels"] = labels
    arrays.update({
        "model": np.array(saved["model"]),
        "preset": np.array(str(saved.get("preset") or "")),
        "dataset": np.array(str(dataset)),
        "split": np.array(str(split)),
        "run": np.array(str(run_dir.resolve())),
    })
    with runs.atomic_write(out, binary=True) as handle:
        np.savez(handle, **arrays)
    if codes.ndim == 2 and codes.shape[1] == 2:
        title = f"{saved['model']} codes of {source.name} ({split}, {len(codes)} images)"
        plot_codes_2d(codes, arrays.get("labels"), out.with_suffix(".png"), title=title)
    return out
