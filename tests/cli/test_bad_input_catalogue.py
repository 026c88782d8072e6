"""The bad-input catalogue: every user mistake is ONE line on stderr, exit status 2,
and leaves the disk as it was.

Each row runs ``genzoo`` in-process (``zoo_cli.main.main``) from a fresh temporary
directory that is also the current directory, so relative paths in a row's argv
point into it. Before the command the row's files are written there (configs,
CSVs, damaged run directories copied from the trained fixtures); the whole tree
is then snapshotted -- every path, and for files size, mtime_ns and a SHA-256 of
the content -- and compared after the command: nothing may be created, removed or
changed. (Directory mtimes are left out: a writability probe creates and removes a
temporary file, which moves its directory's mtime and nothing else.)

The two trained runs (a tiny dcgan and a tiny ae, two steps each) are trained once
per module and copied into a row's directory only when the row names them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import shutil
import sys
import warnings

import pytest

from zoo_cli.main import main

#: the tiny dcgan of tests/cli/test_cli.py, two steps
TINY_DCGAN = ["--set", "base_filters=8", "--set", "latent_dim=16", "--image-size", "16",
              "--steps", "2", "--batch-size", "16"]
#: a tiny ae, two steps
TINY_AE = ["--set", "filters=4", "--set", "code_dim=4", "--image-size", "16", "--steps", "2",
           "--batch-size", "16"]
TRAINED = {"dcgan": ("dcgan", TINY_DCGAN), "ae": ("ae", TINY_AE)}


# ------------------------------------------------------------------ the snapshot
def snapshot(root: pathlib.Path) -> dict[str, tuple]:
    """Every path under ``root``: directories by name, files by size, mtime_ns and
    content hash."""
    state = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            state[relative] = ("link", os.readlink(path))
        elif path.is_dir():
            state[relative] = ("dir",)
        else:
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[relative] = ("file", stat.st_size, stat.st_mtime_ns, digest)
    return state


def difference(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, one line per path."""
    lines = [f"created {p}" for p in sorted(set(after) - set(before))]
    lines += [f"removed {p}" for p in sorted(set(before) - set(after))]
    lines += [f"changed {p}: {before[p]} -> {after[p]}" for p in sorted(set(before) & set(after))
              if before[p] != after[p]]
    return lines


def test_the_snapshot_notices_every_kind_of_change(tmp_path):
    (tmp_path / "run").mkdir()
    kept = tmp_path / "run" / "config.json"
    kept.write_text('{"model": "dcgan"}')
    before = snapshot(tmp_path)
    assert difference(before, snapshot(tmp_path)) == []

    (tmp_path / "samples.png").write_bytes(b"png")  # a new file
    assert difference(before, snapshot(tmp_path)) == ["created samples.png"]
    (tmp_path / "samples.png").unlink()
    (tmp_path / "runs").mkdir()  # a new, empty directory
    assert difference(before, snapshot(tmp_path)) == ["created runs"]
    (tmp_path / "runs").rmdir()

    stat = kept.stat()
    os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # touched
    assert [line.split(":")[0] for line in difference(before, snapshot(tmp_path))] == \
        ["changed run/config.json"]
    kept.write_text('{"model": "dcgaN"}')  # same size, then the old mtime again
    os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [line.split(":")[0] for line in difference(before, snapshot(tmp_path))] == \
        ["changed run/config.json"]
    kept.unlink()
    assert difference(before, snapshot(tmp_path)) == ["removed run/config.json"]


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``{name: run directory}`` of the tiny runs, trained once for the module."""
    base = tmp_path_factory.mktemp("trained")
    runs = {}
    for name, (model, flags) in TRAINED.items():
        out = base / name
        assert main(["train", model, *flags, "--out", str(out)]) == 0
        runs[name] = out
    return runs


def _write(root: pathlib.Path, files: dict) -> None:
    for relative, content in files.items():
        path = root / relative
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


# ------------------------------------------------------------------ damage
def no_checkpoints(root):
    shutil.rmtree(root / "dcgan" / "checkpoints")


def dangling_checkpoint_index(root):
    """The ``checkpoint`` index names ckpt-2, whose files are gone."""
    for path in (root / "dcgan" / "checkpoints").glob("ckpt-2.*"):
        path.unlink()


def truncated_checkpoint(root):
    """The newest (only) checkpoint's data file cut in half, as a full disk leaves it."""
    data = next((root / "dcgan" / "checkpoints").glob("ckpt-2.data-*"))
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])


def nan_checkpoint(root):
    """The checkpoint's network weights all NaN (a diverged run), rewritten in place."""
    import numpy as np
    import tensorflow as tf

    from keras_genzoo import runs

    model, _ = runs.load_trained_model(root / "dcgan")
    for network in model.networks().values():
        for variable in network.weights:
            if "float" in str(variable.dtype):
                variable.assign(np.full(variable.shape, np.nan, dtype=str(variable.dtype)))
    checkpoint = tf.train.Checkpoint(**model.networks(), **model.state_variables())
    checkpoint.write(str(root / "dcgan" / "checkpoints" / "ckpt-2"))


# ------------------------------------------------------------------ the rows
def case(row_id, argv, fragment=None, *, runs=(), files=None, prepare=None):
    """One bad input: ``argv`` (a string, split on spaces, or a list), a fragment the
    message must contain, the trained runs to copy in, files to write, a damage step."""
    argv = argv.split() if isinstance(argv, str) else list(argv)
    return pytest.param(argv, fragment, tuple(runs), dict(files or {}), prepare, id=row_id)


CLINICS = ("clinic,age,bmi,outcome\n" + "".join(
    f"{c},{40 + i},{22 + i}.5,{i % 2}\n" for c in "AB" for i in range(12)))
NON_NUMERIC = CLINICS.replace("24.5", "24.5x", 1)
EXPORT_FILES = {"exports/dcgan/1/variables": None, "exports/dcgan/1/saved_model.pb": "x"}

ROWS = [
    # ---------------------------------------------------------------- commands and flags
    case("no-command", []),
    case("unknown-command", "fly", "invalid choice"),
    case("train-no-model", "train", "required"),
    case("train-unknown-model", "train stylegan9", "unknown model 'stylegan9'"),
    case("train-unknown-flag", "train dcgan --nope", "unrecognized arguments"),
    case("train-steps-int64", "train dcgan --steps 9223372036854775808", "--steps"),
    case("train-steps-zero", "train dcgan --steps 0", "positive integer"),
    case("train-steps-over-bound", "train dcgan --steps 1000000001", "up to 1000000000"),
    case("train-epochs-over-bound", "train dcgan --epochs 1000001", "up to 1000000"),
    case("train-epochs-text", "train dcgan --epochs ten", "--epochs"),
    case("train-epochs-and-steps", "train dcgan --epochs 1 --steps 1", "not allowed with"),
    case("train-batch-size-huge", "train dcgan --batch-size 99999999", "--batch-size"),
    case("train-batch-size-negative", "train dcgan --batch-size -4", "--batch-size"),
    case("train-minutes-nan", "train dcgan --minutes nan", "--minutes"),
    case("train-minutes-inf", "train dcgan --minutes inf", "--minutes"),
    case("train-minutes-huge", "train dcgan --minutes 1e7", "--minutes"),
    case("train-seed-negative", "train dcgan --seed -5", "--seed"),
    case("train-seed-2**32", "train dcgan --seed 4294967296", "up to 4294967295"),
    case("train-seed-text", "train dcgan --seed abc", "--seed"),
    case("train-image-size-huge", "train dcgan --image-size 8192", "--image-size"),
    case("train-image-size-not-power-of-two", "train dcgan --image-size 24", "power of two"),
    case("train-style-dataset-on-dcgan", "train dcgan --style-dataset samples:styles",
         "--style-dataset applies to style-transfer models"),
    case("train-vgg-weights-on-dcgan", "train dcgan --vgg-weights vgg.h5",
         "--vgg-weights applies to", files={"vgg.h5": "x"}),
    case("train-vgg-weights-missing", "train adain-style --vgg-weights vgg19.h5",
         "--vgg-weights: no such file"),
    case("train-style-dataset-points", "train adain-style --style-dataset toy2d:ring8",
         "--style-dataset must be an image source"),
    case("train-style-dataset-missing-folder", "train adain-style --style-dataset folder:paintings",
         "dataset path does not exist"),
    case("train-adain-image-size-not-multiple-of-8", "train adain-style --image-size 20",
         "multiple of 8"),
    case("train-checkpoint-every-huge", "train dcgan --checkpoint-every 2000000000",
         "--checkpoint-every"),
    case("train-sample-every-zero", "train dcgan --sample-every 0", "--sample-every"),
    case("train-eval-every-zero", "train dcgan --eval-every 0", "--eval-every"),
    case("train-eval-num-huge", "train dcgan --eval-every 1 --eval-num 1000001", "--eval-num"),
    case("train-divergence-bound-negative", "train dcgan --divergence-bound -1",
         "--divergence-bound"),
    case("train-divergence-bound-nan", "train dcgan --divergence-bound nan",
         "--divergence-bound"),
    case("train-verbose-without-export", "train dcgan --verbose", "--verbose goes with --export"),
    case("train-unknown-strategy", "train dcgan --strategy everywhere", "invalid choice"),
    case("train-unknown-preset", "train dcgan --preset huge", "unknown preset"),
    case("train-eval-num-without-eval-every", "train dcgan --eval-num 50",
         "--eval-num goes with --eval-every"),
    case("train-eval-metrics-without-eval-every", "train dcgan --eval-metrics fid",
         "--eval-metrics goes with --eval-every"),
    case("train-eval-features-without-eval-every", "train dcgan --eval-features random",
         "--eval-features goes with --eval-every"),
    case("train-inception-weights-without-eval-every",
         "train dcgan --inception-weights w.h5", "--inception-weights goes with --eval-every"),
    case("train-eval-every-unknown-metric",
         "train dcgan --steps 1 --eval-every 1 --eval-metrics bleu --out run",
         "unknown metric 'bleu'"),
    case("train-eval-every-classifier", "train classifier --steps 1 --eval-every 1 --out run",
         "generative models and autoencoders"),
    case("train-eval-every-recon-features",
         "train ae --steps 1 --eval-every 1 --eval-features random --out run",
         "uses no image features"),
    case("train-no-onnx-without-export", "train dcgan --no-onnx", "--no-onnx goes with --export"),
    case("train-no-warmup-without-export", "train dcgan --no-warmup",
         "--no-warmup goes with --export"),
    case("train-version-policy-without-export", "train dcgan --version-policy all",
         "--version-policy goes with --export"),
    case("train-bad-version-policy", "train dcgan --export e --version-policy latest:0",
         "invalid --version-policy"),
    case("train-domain-column-on-dcgan", "train dcgan --domain-column clinic",
         "--domain-column and --label-column apply"),
    case("train-label-column-on-dcgan", "train dcgan --label-column outcome",
         "--domain-column and --label-column apply"),
    case("train-domain-column-on-domains-source", "train radialgan --domain-column clinic",
         "apply to csv: sources only"),
    case("train-data-dir-on-digits", "train dcgan --data-dir tfds", "--data-dir applies"),
    case("train-manual-dir-on-folder", "train ae --dataset folder:images --manual-dir m",
         "--manual-dir applies", files={"images": None}),
    case("train-image-size-on-radialgan", "train radialgan --image-size 16",
         "radialgan has no image size"),
    case("train-image-size-on-points", "train gan --dataset toy2d:grid25 --image-size 16",
         "holds 2-D points"),
    case("train-sample-every-on-classifier", "train classifier --sample-every 2",
         "classifier draws none"),
    # radialgan takes --sample-every (its checkpoint and held-out scores every N epochs)
    case("train-sample-every-on-radialgan-zero", "train radialgan --sample-every 0",
         "--sample-every"),
    case("train-out-is-a-file", "train ae --out notes.txt", "is a file",
         files={"notes.txt": "keep me"}),
    case("train-out-under-a-file", "train ae --out notes.txt/run", "not a directory",
         files={"notes.txt": "keep me"}),
    case("train-out-not-a-run", "train ae --out mine", "is not a genzoo run",
         files={"mine/thesis.tex": "\\documentclass{article}"}),
    case("train-digits-for-radialgan", "train radialgan --dataset digits",
         "trains on tabular domains"),
    case("train-domains-for-dcgan", "train dcgan --dataset domains:breast_cancer",
         "holds tabular domains"),
    case("train-points-for-dcgan", "train dcgan --dataset toy2d:grid25", "holds 2-D points"),
    case("train-batch-larger-than-dataset", "train ae --batch-size 4096 --out run",
         "larger than"),
    # ---------------------------------------------------------------- --set
    case("set-unknown-key", "train dcgan --set base_filter=8", "unknown config key 'base_filter'"),
    case("set-without-equals", "train dcgan --set latent_dim", "key=value"),
    case("set-empty-key", "train dcgan --set =3", "key=value"),
    case("set-int-text", "train dcgan --set latent_dim=big", "expected an integer"),
    case("set-int-float", "train dcgan --set latent_dim=2.5", "expected an integer"),
    case("set-int-over-int32", "train dcgan --set latent_dim=99999999999", "up to 2147483647"),
    case("set-bool-text", "train dcgan --set feature_matching=maybe", "true or false"),
    case("set-literal-unknown", "train dcgan --set loss=l2", "expected one of"),
    case("set-generator-lr-negative", "train dcgan --set generator_lr=-1",
         "generator_lr must be positive"),
    case("set-discriminator-lr-zero", "train dcgan --set discriminator_lr=0",
         "discriminator_lr must be positive"),
    case("set-generator-lr-nan", "train dcgan --set generator_lr=nan", "finite number"),
    case("set-generator-lr-inf", "train dcgan --set generator_lr=inf", "finite number"),
    case("set-generator-lr-minus-inf", "train wgan --set generator_lr=-inf", "finite number"),
    case("set-generator-lr-past-float32", "train dcgan --set generator_lr=1e39",
         "finite number"),
    case("set-ae-lr-negative", "train ae --set learning_rate=-1", "learning_rate must be positive"),
    case("set-vae-lr-zero", "train vae --set learning_rate=0", "learning_rate must be positive"),
    case("set-sparse-ae-lr-nan", "train sparse-ae --set learning_rate=nan", "finite number"),
    case("set-classifier-lr-inf", "train classifier --set learning_rate=inf", "finite number"),
    case("set-radialgan-lr-zero", "train radialgan --set learning_rate=0",
         "learning_rate must be positive"),
    case("set-recirculation-lr-negative", "train recirculation-ae --set learning_rate=-2",
         "learning_rate must be positive"),
    case("set-stylegan-mapping-lr-zero", "train stylegan --set mapping_lr_multiplier=0",
         "mapping_lr_multiplier must be positive"),
    case("set-stylegan-fine-style-init-zero", "train stylegan --set fine_style_init_scale=0",
         "fine_style_init_scale must be positive"),
    case("set-progan-lr-zero", "train progan --set generator_lr=0",
         "generator_lr must be positive"),
    case("set-beta-1-five", "train dcgan --set beta_1=5", "beta_1 must be in [0, 1)"),
    case("set-beta-2-one", "train dcgan --set beta_2=1", "beta_2 must be in [0, 1)"),
    case("set-beta-1-negative", "train wgan-gp --set beta_1=-0.1", "beta_1 must be in [0, 1)"),
    case("set-radialgan-beta-2-one", "train radialgan --set beta_2=1", "beta_2 must be in [0, 1)"),
    case("set-adam-epsilon-zero", "train dcgan --set adam_epsilon=0",
         "adam_epsilon must be positive"),
    case("set-d-steps-past-noise-streams", "train wgan --set d_steps=1001",
         "at most 1000"),
    case("set-d-steps-zero", "train wgan --set n_critic=0", "at least 1"),
    case("set-image-size-huge", "train ae --set image_size=8192", "at most 4096"),
    case("set-channels-two", "train ae --set channels=2", "channels must be 1 or 3"),
    case("set-gan-dropout-one", "train gan --set dropout=1", "dropout must be in [0, 1)"),
    case("set-label-smoothing-one", "train dcgan --set label_smoothing=1", "[0, 1)"),
    case("set-ema-decay-one", "train dcgan --set ema_decay=1", "ema_decay must be in [0, 1)"),
    case("set-style-mixing-two", "train stylegan --set style_mixing=2", "[0, 1]"),
    case("set-drop-probability-two", "train denoising-ae --set drop_probability=2", "[0, 1]"),
    case("set-rho-zero", "train sparse-ae --set rho=0", "rho must be in (0, 1)"),
    case("set-gp-weight-negative", "train dcgan --set gp_weight=-1", "gp_weight must be >= 0"),
    case("set-vae-beta-nan", "train vae --set beta=nan", "finite number"),
    case("set-vae-gaussian-std-zero", "train vae --set gaussian_std=0", "gaussian_std"),
    case("set-contractive-lambda-negative", "train contractive-ae --set contractive_lambda=-1",
         "contractive_lambda"),
    case("set-regression-one", "train recirculation-ae --set regression=1", "[0, 1)"),
    case("set-radialgan-label-weight-inf", "train radialgan --set label_weight=inf",
         "finite number"),
    # age only at clinic A, bmi only at B: no feature name for the term to pair
    case("set-radialgan-shared-features-none-shared", "train radialgan --dataset csv:t.csv "
         "--domain-column clinic --label-column outcome --set shared_feature_weight=1 --out run",
         "these domains share none", files={"t.csv": "clinic,age,bmi,outcome\n" + "".join(
             f"{c},{40 + i if c == 'A' else ''},{22 + i if c == 'B' else ''},{i % 2}\n"
             for c in "AB" for i in range(12))}),
    # two domains: no third one whose translations the agreement term could compare
    case("set-radialgan-agreement-two-domains", "train radialgan --set num_domains=2 "
         "--set agreement_weight=1 --out run", "agreement_weight needs at least 3 domains"),
    case("set-radialgan-encode-label-not-bool", "train radialgan --set encode_label=maybe",
         "encode_label"),
    case("set-hidden-units-zero", "train ae --set hidden_units=0,256", "hidden_units"),
    case("set-unknown-activation", "train ae --set activation=swishy", "unknown activation"),
    case("set-wgan-clip-zero", "train wgan --set clip_value=0", "clip_value > 0"),
    # ---------------------------------------------------------------- --config files
    case("config-missing", "train dcgan --config nope.yaml", "does not exist"),
    case("config-unparsable-yaml", "train dcgan --config c.yaml", "cannot parse",
         files={"c.yaml": "a: [1, 2\n"}),
    case("config-unparsable-json", "train dcgan --config c.json", "cannot parse",
         files={"c.json": '{"latent_dim": 8,'}),
    case("config-a-list", "train dcgan --config c.yaml", "must hold a mapping",
         files={"c.yaml": "- 1\n- 2\n"}),
    case("config-a-number", "train dcgan --config c.json", "must hold a mapping",
         files={"c.json": "42"}),
    case("config-unknown-key", "train dcgan --config c.yaml", "unknown config key 'nosuchkey'",
         files={"c.yaml": "nosuchkey: 3\n"}),
    case("config-wrong-type", "train dcgan --config c.yaml", "expected an integer",
         files={"c.yaml": "latent_dim: big\n"}),
    case("config-train-section-a-list", "train dcgan --config c.yaml", "must be a mapping",
         files={"c.yaml": "config: {}\ntrain: [1, 2]\n"}),
    case("config-unknown-training-setting", "train dcgan --config c.yaml",
         "unknown training setting 'epoch'", files={"c.yaml": "config: {}\ntrain: {epoch: 3}\n"}),
    case("config-seed-negative", "train dcgan --config c.yaml", "--seed",
         files={"c.yaml": "config: {}\ntrain: {seed: -5}\n"}),
    case("config-steps-over-bound", "train dcgan --config c.yaml", "--steps",
         files={"c.yaml": "steps: 2000000000\n"}),
    case("config-lr-nan", "train dcgan --config c.yaml", "finite number",
         files={"c.yaml": "generator_lr: .nan\n"}),
    case("config-eval-num-without-eval-every", "train dcgan --config c.yaml",
         "--eval-num goes with --eval-every", files={"c.yaml": "eval_num: 50\n"}),
    # ---------------------------------------------------------------- datasets
    case("data-unknown-source", "train dcgan --dataset imagenet21k:x", "unknown dataset source"),
    case("data-empty-source", ["train", "dcgan", "--dataset", " "], "empty dataset source"),
    case("data-tfds-without-name", "train dcgan --dataset tfds:", "needs a dataset name"),
    case("data-unknown-toy2d", "train gan --dataset toy2d:moons", "unknown toy2d set"),
    case("data-unknown-domains", "train radialgan --dataset domains:iris",
         "unknown domains dataset"),
    case("data-domains-overlap-not-synthetic",
         "train radialgan --dataset domains:breast_cancer --set overlap=0.5 --out run",
         "overlap applies to domains:synthetic"),
    case("data-domains-target-rows-below-classes",
         "train radialgan --dataset domains:synthetic --set target_rows=1 --out run",
         "fewer than the target's 2 classes"),
    case("config-domains-overlap-one",
         "train radialgan --dataset domains:synthetic --set overlap=1 --out run",
         "overlap must be in [0, 1)"),
    case("data-csv-missing-threshold-elsewhere",
         "train radialgan --dataset domains:synthetic --set missing_threshold=0.2 --out run",
         "missing_threshold applies to csv:"),
    case("data-missing-folder", "train ae --dataset folder:nope --out run", "does not exist"),
    case("data-folder-is-a-file", "train ae --dataset folder:notes.txt --out run",
         "not a directory", files={"notes.txt": "x"}),
    case("data-empty-folder", "train ae --dataset folder:images --out run", "images",
         files={"images": None}),
    case("data-folder-of-non-images", "train ae --dataset folder:images --out run", "images",
         files={"images/a.txt": "not a picture"}),
    case("data-missing-idx", "train ae --dataset idx:nope --out run", "does not exist"),
    case("data-corrupt-idx", "train ae --dataset idx:data --out run", "train-images-idx3-ubyte",
         files={"data/train-images-idx3-ubyte": b"\x00\x00\x08\x03garbage"}),
    case("data-idx-folder-without-files", "train ae --dataset idx:data --out run", "data",
         files={"data/readme.txt": "x"}),
    case("data-missing-csv", "train radialgan --dataset csv:nope.csv --domain-column clinic "
         "--label-column outcome --out run", "does not exist"),
    case("data-csv-is-a-folder", "train radialgan --dataset csv:t.csv --domain-column clinic "
         "--label-column outcome --out run", "not a file", files={"t.csv": None}),
    case("data-csv-no-rows", "train radialgan --dataset csv:t.csv --domain-column clinic "
         "--label-column outcome --out run", "no rows",
         files={"t.csv": "clinic,age,outcome\n"}),
    case("data-csv-empty-file", "train radialgan --dataset csv:t.csv --domain-column clinic "
         "--label-column outcome --out run", "t.csv", files={"t.csv": ""}),
    case("data-csv-non-numeric", "train radialgan --dataset csv:t.csv --domain-column clinic "
         "--label-column outcome --out run", "24.5x", files={"t.csv": NON_NUMERIC}),
    case("data-csv-without-domain-column", "train radialgan --dataset csv:t.csv "
         "--label-column outcome --out run", "needs a domain column",
         files={"t.csv": CLINICS}),
    case("data-csv-without-label-column", "train radialgan --dataset csv:t.csv "
         "--domain-column clinic --out run", "label column", files={"t.csv": CLINICS}),
    case("data-csv-wrong-domain-column", "train radialgan --dataset csv:t.csv --domain-column "
         "hospital --label-column outcome --out run", "domain column 'hospital' is not in",
         files={"t.csv": CLINICS}),
    case("data-csv-wrong-label-column", "train radialgan --dataset csv:t.csv --domain-column "
         "clinic --label-column result --out run", "'result'", files={"t.csv": CLINICS}),
    case("data-csv-one-domain", "train radialgan --dataset csv:t.csv --domain-column clinic "
         "--label-column outcome --out run", "domain",
         files={"t.csv": CLINICS.replace("\nB,", "\nA,")}),
    case("data-csv-for-dcgan", "train dcgan --dataset csv:t.csv", "holds tabular domains",
         files={"t.csv": CLINICS}),
    case("data-tfds-unknown-offline", "train dcgan --dataset tfds:nosuchdataset_xyz --out run",
         "nosuchdataset_xyz"),
    # ---------------------------------------------------------------- run directories
    case("run-missing", "sample nowhere", "no such run or export"),
    case("run-not-a-run", "sample mine", "not a SavedModel or model directory",
         files={"mine/notes.txt": "x"}),
    case("run-empty-dir", "info mine", "not a SavedModel or model directory",
         files={"mine": None}),
    case("run-config-truncated-sample", "sample r", "corrupt",
         files={"r/config.json": '{"model": "dcgan", "con'}),
    case("run-config-truncated-info", "info r", "corrupt",
         files={"r/config.json": '{"model": "dcgan", "con'}),
    case("run-config-truncated-train", "train dcgan --out r", "corrupt",
         files={"r/config.json": '{"model": "dcgan", "con'}),
    case("run-config-empty-object-sample", "sample r", "corrupt", files={"r/config.json": "{}"}),
    case("run-config-list-export", "export r --to e", "corrupt", files={"r/config.json": "[]"}),
    case("run-config-null-eval", "eval r", "corrupt", files={"r/config.json": "null"}),
    case("run-config-string-sample", "sample r", "corrupt", files={"r/config.json": '"x"'}),
    case("run-config-unknown-model-train", "train dcgan --out r", "nosuch",
         files={"r/config.json": '{"model": "nosuch", "config": {}}'}),
    case("run-no-checkpoints-sample", "sample dcgan", "no checkpoints", runs=["dcgan"],
         prepare=no_checkpoints),
    case("run-no-checkpoints-export", "export dcgan --to e", "no checkpoints", runs=["dcgan"],
         prepare=no_checkpoints),
    case("run-no-checkpoints-eval", "eval dcgan --features random --num 10",
         "no checkpoints", runs=["dcgan"], prepare=no_checkpoints),
    case("export-missing-run", "export nowhere --to e", "not a genzoo run directory"),
    case("resume-changed-latent-dim", ["train", "dcgan", *TINY_DCGAN[:2], "--set",
                                       "latent_dim=32", *TINY_DCGAN[4:], "--out", "dcgan"],
         "latent_dim=16 (asked: 32)", runs=["dcgan"]),
    case("resume-changed-seed", ["train", "dcgan", *TINY_DCGAN, "--seed", "3", "--out", "dcgan"],
         "seed=0 (asked: 3)", runs=["dcgan"]),
    case("resume-changed-batch-size", ["train", "dcgan", *TINY_DCGAN[:-1], "32", "--out",
                                       "dcgan"], "batch_size=16 (asked: 32)", runs=["dcgan"]),
    case("resume-changed-dataset", ["train", "dcgan", *TINY_DCGAN, "--dataset", "mnist",
                                    "--out", "dcgan"], "dataset='digits'", runs=["dcgan"]),
    case("resume-as-another-model", "train ae --out dcgan", "holds a dcgan run, not ae",
         runs=["dcgan"]),
    case("resume-with-bad-lr", ["train", "dcgan", *TINY_DCGAN, "--set", "generator_lr=-1",
                                "--out", "dcgan"], "generator_lr must be positive",
         runs=["dcgan"]),
    # ---------------------------------------------------------------- sample
    case("sample-prior-on-gan", "sample dcgan --prior", "--prior needs a generative autoencoder",
         runs=["dcgan"]),
    case("sample-prior-on-ae", "sample ae --prior", "--prior needs a generative", runs=["ae"]),
    case("sample-label-on-gan", "sample dcgan --label 1", "--label needs a conditional model",
         runs=["dcgan"]),
    case("sample-label-with-truncation", "sample dcgan --label 1 --truncation 0.5",
         "--label needs a conditional model", runs=["dcgan"]),
    case("sample-truncation-on-dcgan", "sample dcgan --truncation 0.5", "need a stylegan run",
         runs=["dcgan"]),
    case("sample-style-mix-on-dcgan", "sample dcgan --style-mix", "need a stylegan run",
         runs=["dcgan"]),
    case("sample-crossover-without-style-mix", "sample dcgan --crossover 2",
         "--crossover goes with --style-mix", runs=["dcgan"]),
    case("sample-force-truncation-alone", "sample dcgan --force-truncation",
         "--force-truncation goes with --truncation", runs=["dcgan"]),
    case("sample-truncation-out-of-range", "sample dcgan --truncation 1.5", "[0, 1]",
         runs=["dcgan"]),
    case("sample-truncation-nan", "sample dcgan --truncation nan", "finite number",
         runs=["dcgan"]),
    case("sample-truncation-inf-forced", "sample dcgan --truncation inf --force-truncation",
         "finite number", runs=["dcgan"]),
    case("sample-truncation-text", "sample dcgan --truncation half", "--truncation",
         runs=["dcgan"]),
    case("sample-num-huge", "sample dcgan --num 100000", "up to 10000", runs=["dcgan"]),
    case("sample-num-zero", "sample dcgan --num 0", "--num", runs=["dcgan"]),
    case("sample-num-with-style-mix", "sample dcgan --style-mix --num 4",
         "--num does not apply", runs=["dcgan"]),
    case("sample-num-with-interpolate", "sample dcgan --interpolate 5 --num 4",
         "--num does not apply", runs=["dcgan"]),
    case("sample-interpolate-one", "sample dcgan --interpolate 1", "at least 2", runs=["dcgan"]),
    case("sample-interpolate-huge", "sample dcgan --interpolate 20000", "at most 10000",
         runs=["dcgan"]),
    case("sample-style-mix-and-interpolate", "sample dcgan --style-mix --interpolate 4",
         "pick one", runs=["dcgan"]),
    case("sample-seed-negative", "sample dcgan --seed -5", "--seed", runs=["dcgan"]),
    case("sample-seed-2**32", "sample dcgan --seed 4294967296", "--seed", runs=["dcgan"]),
    case("sample-label-text", "sample dcgan --label one", "--label", runs=["dcgan"]),
    case("sample-out-is-a-dir", "sample dcgan --out pictures", "is a directory",
         runs=["dcgan"], files={"pictures": None}),
    case("sample-out-under-a-file", "sample dcgan --out notes.txt/s.png", "not a directory",
         runs=["dcgan"], files={"notes.txt": "x"}),
    case("sample-export-prior", "sample exports/dcgan/1 --prior", "work on run directories",
         files=EXPORT_FILES),
    case("sample-export-label", "sample exports/dcgan/1 --label 2", "work on run directories",
         files=EXPORT_FILES),
    case("sample-export-no-versions", "sample exports/dcgan",
         "not a SavedModel or model directory", files={"exports/dcgan": None}),
    case("sample-export-version-without-saved-model", "sample exports/dcgan/1",
         "not a SavedModel or model directory", files={"exports/dcgan/1/variables": None}),
    # ---------------------------------------------------------------- eval
    case("eval-seed-negative", "eval dcgan --seed -1", "--seed", runs=["dcgan"]),
    case("eval-num-zero", "eval dcgan --num 0", "--num", runs=["dcgan"]),
    case("eval-num-huge", "eval dcgan --num 1000001", "--num", runs=["dcgan"]),
    case("eval-unknown-metric", "eval dcgan --metrics fid,bleu", "unknown metric 'bleu'",
         runs=["dcgan"]),
    case("eval-empty-metrics", ["eval", "dcgan", "--metrics", ","], "--metrics is empty",
         runs=["dcgan"]),
    case("eval-unknown-features", "eval dcgan --features vgg", "unknown --features 'vgg'",
         runs=["dcgan"]),
    case("eval-classifier-features-from-a-gan", "eval dcgan --features classifier:dcgan",
         "needs a classifier run", runs=["dcgan"]),
    case("eval-features-with-recon", "eval ae --features random --metrics recon",
         "uses no image features", runs=["ae"]),
    case("eval-cache-dir-with-recon", "eval ae --cache-dir c", "uses no image features",
         runs=["ae"]),
    case("eval-inception-weights-with-random", "eval dcgan --features random "
         "--inception-weights w.h5", "--inception-weights goes with --features inception",
         runs=["dcgan"]),
    case("eval-data-dir-on-digits", "eval dcgan --features random --data-dir tfds",
         "--data-dir applies", runs=["dcgan"]),
    case("eval-modes-on-images", "eval dcgan --metrics modes", "2-D point models",
         runs=["dcgan"]),
    case("eval-recon-on-gan", "eval dcgan --metrics recon", "scores autoencoders",
         runs=["dcgan"]),
    case("eval-is-with-random-features", "eval dcgan --features random --metrics is",
         "class probabilities", runs=["dcgan"]),
    case("eval-prdc-too-few", "eval dcgan --features random --metrics prdc --num 4", "k = 5",
         runs=["dcgan"]),
    case("eval-missing-path", "eval nowhere", "no such run or export"),
    case("eval-export-no-versions", "eval exports/dcgan", "not a SavedModel or model directory",
         files={"exports/dcgan": None}),
    case("eval-out-under-a-file", "eval dcgan --features random --num 10 --out notes.txt/e.json",
         "not a directory", runs=["dcgan"], files={"notes.txt": "x"}),
    # ---------------------------------------------------------------- manifold and encode
    case("manifold-on-gan", "manifold dcgan", "needs an autoencoder run", runs=["dcgan"]),
    case("manifold-seed-negative", "manifold ae --seed -5", "--seed", runs=["ae"]),
    case("manifold-num-huge", "manifold ae --num 1000", "--num", runs=["ae"]),
    case("manifold-directions-zero", "manifold ae --directions 0", "--directions", runs=["ae"]),
    case("manifold-directions-above-code-size", "manifold ae --directions 10", "code size 4",
         runs=["ae"]),
    case("manifold-missing-run", "manifold nowhere", "not a genzoo run directory"),
    case("manifold-out-is-a-dir", "manifold ae --out pictures", "is a directory", runs=["ae"],
         files={"pictures": None}),
    case("encode-on-gan", "encode dcgan", "needs an autoencoder run", runs=["dcgan"]),
    case("encode-limit-zero", "encode ae --limit 0", "--limit", runs=["ae"]),
    case("encode-unknown-dataset", "encode ae --dataset nosuch:x", "unknown dataset source",
         runs=["ae"]),
    case("encode-data-dir-on-digits", "encode ae --data-dir tfds", "--data-dir applies",
         runs=["ae"]),
    case("encode-unknown-split", "encode ae --split nosuch", "nosuch", runs=["ae"]),
    case("encode-out-is-a-dir", "encode ae --out codes", "is a directory", runs=["ae"],
         files={"codes": None}),
    case("encode-missing-run", "encode nowhere", "not a genzoo run directory"),
    # ---------------------------------------------------------------- export and info
    case("export-opset-1", "export dcgan --opset 1", "--opset", runs=["dcgan"]),
    case("export-opset-99", "export dcgan --opset 99", "--opset", runs=["dcgan"]),
    case("export-opset-with-no-onnx", "export dcgan --no-onnx --opset 17", "drop one",
         runs=["dcgan"]),
    case("export-version-zero", "export dcgan --version 0", "--version", runs=["dcgan"]),
    case("export-bad-name", "export dcgan --to e --name ../escape --no-onnx",
         "invalid export name", runs=["dcgan"]),
    case("export-version-exists", "export dcgan --to exports --version 1 --no-onnx",
         "already exists", runs=["dcgan"], files=EXPORT_FILES),
    case("export-to-under-a-file", "export dcgan --to notes.txt/e --no-onnx", "notes.txt",
         runs=["dcgan"], files={"notes.txt": "x"}),
    case("export-bad-version-policy", "export dcgan --to e --version-policy newest --no-onnx",
         "invalid --version-policy", runs=["dcgan"]),
    case("export-policy-names-a-missing-version",
         "export dcgan --to exports --version-policy specific:7 --no-onnx", "names versions [7]",
         runs=["dcgan"], files=EXPORT_FILES),
    case("info-missing", "info nowhere", "no such file or directory"),
    case("info-export-no-versions", "info exports/dcgan", "not a SavedModel or model directory",
         files={"exports/dcgan": None}),
    case("info-version-without-saved-model", "info exports/dcgan/1",
         "not a SavedModel or model directory", files={"exports/dcgan/1/variables": None}),
    case("info-not-a-run", "info mine", "not a SavedModel or model directory",
         files={"mine/notes.txt": "x"}),
    # ---------------------------------------------------------------- radialgan, list
    case("radialgan-without-tool", "radialgan", "required"),
    case("radialgan-unknown-tool", "radialgan shrink r", "invalid choice"),
    case("radialgan-augment-without-target", "radialgan augment dcgan --out a.csv",
         "--target", runs=["dcgan"]),
    case("radialgan-augment-on-dcgan", "radialgan augment dcgan --target 0 --out a.csv",
         "needs a radialgan run", runs=["dcgan"]),
    case("radialgan-augment-missing-run", "radialgan augment nowhere --target 0 --out a.csv",
         "not a genzoo run directory"),
    case("list-unknown-model", "list nosuchmodel", "unknown model"),
    case("list-markdown-with-model", "list dcgan --markdown", "drop MODEL"),
    # ---------------------------------------------------------------- damaged run directories
    case("run-config-not-utf8", "train dcgan --out r", "corrupt",
         files={"r/config.json": b"\xff\xfe{}"}),
    case("run-config-empty-object-info", "info r", "corrupt", files={"r/config.json": "{}"}),
    case("run-config-list-info", "info r", "corrupt", files={"r/config.json": "[]"}),
    case("run-config-null-info", "info r", "corrupt", files={"r/config.json": "null"}),
    case("run-config-string-info", "info r", "corrupt", files={"r/config.json": '"x"'}),
    case("run-config-unknown-model-info", "info r", "unknown model 'nosuch'",
         files={"r/config.json": '{"model": "nosuch", "config": {}}'}),
    case("run-config-without-config-info", "info r", "corrupt",
         files={"r/config.json": '{"model": "dcgan"}'}),
    case("run-config-empty-object-train", "train dcgan --out r", "corrupt",
         files={"r/config.json": "{}"}),
    case("run-config-list-train", "train dcgan --out r", "corrupt",
         files={"r/config.json": "[]"}),
    case("run-config-without-config-train", "train dcgan --out r", "corrupt",
         files={"r/config.json": '{"model": "dcgan"}'}),
    case("run-config-empty-object-manifold", "manifold r", "corrupt",
         files={"r/config.json": "{}"}),
    case("run-config-list-encode", "encode r", "corrupt", files={"r/config.json": "[]"}),
    case("run-config-empty-object-augment", "radialgan augment r --target 0 --out a.csv",
         "corrupt", files={"r/config.json": "{}"}),
    case("checkpoint-index-names-missing-files", "sample dcgan", "checkpoint", runs=["dcgan"],
         prepare=dangling_checkpoint_index),
    case("checkpoint-truncated", "sample dcgan", "checkpoint", runs=["dcgan"],
         prepare=truncated_checkpoint),
    case("checkpoint-nan-weights-sample", "sample dcgan", "non-finite", runs=["dcgan"],
         prepare=nan_checkpoint),
    case("checkpoint-nan-weights-export", "export dcgan --to e --no-onnx", "non-finite",
         runs=["dcgan"], prepare=nan_checkpoint),
]

# genzoo stylize: every check runs before a network is built or a file is written
STYLIZE = "stylize --content samples:chelsea --style samples:brick --out o.png"
ROWS += [
    case("stylize-missing-image", "stylize --method gatys --content nope.png --style "
         "samples:brick --out o.png", "no such image file"),
    case("stylize-corrupt-image", "stylize --method gatys --content bad.jpg --style "
         "samples:brick --out o.png", "cannot read image", files={"bad.jpg": b"\xff\xd8junk"}),
    case("stylize-unknown-sample", "stylize --method gatys --content samples:mona --style "
         "samples:brick --out o.png", "unknown bundled image"),
    case("stylize-alpha-over-1", f"{STYLIZE} r --alpha 2", "alpha must be in [0, 1]"),
    case("stylize-alpha-nan", f"{STYLIZE} r --alpha nan", "--alpha"),
    case("stylize-weights-sum", f"{STYLIZE} r --style samples:grass --weights 0.5,0.4",
         "must sum to 1"),
    case("stylize-weights-count", f"{STYLIZE} r --weights 0.5,0.5", "2 values for 1 --style"),
    case("stylize-out-not-an-image", "stylize r --content samples:chelsea --style "
         "samples:brick --out o.txt", "not an image file name"),
    case("stylize-no-run", STYLIZE, "needs RUN_OR_EXPORT"),
    case("stylize-dcgan-run", f"{STYLIZE} dcgan", "is a dcgan run", runs=["dcgan"]),
    case("stylize-broken-export", f"{STYLIZE} exports/dcgan", "cannot read",
         files=EXPORT_FILES),
    case("stylize-gatys-with-run", f"{STYLIZE} dcgan --method gatys", "give no RUN_OR_EXPORT",
         runs=["dcgan"]),
    case("stylize-gatys-missing-vgg-file", f"{STYLIZE} --method gatys --vgg-weights w.h5",
         "no such file"),
    case("stylize-gatys-unknown-key", f"{STYLIZE} --method gatys --set speed=2",
         "unknown config key 'speed'"),
    case("stylize-gatys-flag-with-adain", f"{STYLIZE} r --tv-weight 3", "--tv-weight apply"),
]


@pytest.mark.parametrize("argv, fragment, copies, files, prepare", ROWS)
def test_bad_input_is_one_line_and_changes_nothing(argv, fragment, copies, files, prepare,
                                                   trained, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # caches (tfdata, reference features) and tensorflow-datasets land here too, if anywhere
    monkeypatch.setenv("GENZOO_CACHE", str(tmp_path / ".cache"))
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tensorflow_datasets"))
    for name in copies:
        shutil.copytree(trained[name], tmp_path / name)
    _write(tmp_path, files)
    if prepare is not None:
        prepare(tmp_path)
    before = snapshot(tmp_path)
    capsys.readouterr()
    # TensorFlow's Python logger holds the stderr of its import: point it at the captured
    # one, so that its ERROR/WARNING lines count as they would for a user
    for handler in logging.getLogger("tensorflow").handlers:
        if isinstance(handler, logging.StreamHandler):
            monkeypatch.setattr(handler, "stream", sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's own errors
            code = stop.code
    captured = capsys.readouterr()
    # the warnings Python shows a user by default are lines on stderr too
    shown = [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(
        w.category, (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                     ResourceWarning))]
    lines = captured.err.strip().splitlines() + shown
    assert code == 2, captured
    assert "Traceback" not in captured.err
    assert len(lines) == 1 and lines[0].startswith("genzoo: error:"), lines
    if fragment is not None:
        assert fragment in lines[0], lines[0]
    assert difference(before, snapshot(tmp_path)) == []


def test_the_catalogue_is_large():
    assert len(ROWS) >= 100
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids))
