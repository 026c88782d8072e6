"""benchmarks/gpu.sh, the prepared script for a lent GPU machine, checked on CPU: every
command it would run is one that `genzoo train` accepts and resolves (--dry-run), and a
tiny real run prints its table (slow tier)."""

import pathlib
import shlex
import subprocess

import pytest

from keras_genzoo.config import parse_set_arguments
from keras_genzoo.training import plan as plan_lib
from zoo_cli.main import build_parser

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "gpu.sh"


def test_dry_run_prints_commands_that_genzoo_accepts(tmp_path):
    out = subprocess.run(["bash", str(SCRIPT), "--dry-run"], capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}).stdout
    commands = [shlex.split(line) for line in out.splitlines() if line.startswith("genzoo ")]
    # 4 models x 5 settings, stylegan with an extra (untimed) growth command each
    assert len(commands) == 4 * 5 + 5
    seen = set()
    for argv in commands:
        args = build_parser().parse_args(argv[1:])
        plan = plan_lib.resolve_plan(args.model, overrides=parse_set_arguments(args.set),
                                    image_size=args.image_size, dataset=args.dataset,
                                    steps=args.steps, batch_size=args.batch_size,
                                    xla=args.xla, mixed_precision=args.mixed_precision,
                                    strategy=args.strategy, out_dir=str(tmp_path / "never"))
        assert plan.settings.dataset == "digits" and args.image_size is None  # default sizes
        if plan.model == "stylegan":
            assert (plan.config["fade_images"], plan.config["stable_images"]) == (0, 64)
        seen.add((plan.model, bool(args.xla), bool(args.mixed_precision), plan.settings.strategy))
    settings = {(False, False, "default"), (True, False, "default"), (False, True, "default"),
                (True, True, "default"), (False, False, "mirrored")}
    assert seen == {(model, *setting) for model in ("dcgan", "wgan-gp", "vae", "stylegan")
                    for setting in settings}


def test_unknown_arguments_are_refused():
    result = subprocess.run(["bash", str(SCRIPT), "--bogus"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown argument --bogus" in result.stderr


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ten trainings and stylegan's growth runs: ~10 min on 2 CPU cores
def test_a_tiny_real_run_prints_a_rate_for_every_row(tmp_path):
    result = subprocess.run(["bash", str(SCRIPT), "--models", "vae stylegan", "--image-size", "8",
                             "--steps", "3", "--batch-size", "64"], capture_output=True,
                            text=True, check=True,
                            env={**__import__("os").environ, "TMPDIR": str(tmp_path)})
    rows = [line.split() for line in result.stdout.splitlines()
            if line.startswith(("vae ", "stylegan "))]
    assert len(rows) == 2 * 5, result.stdout
    for row in rows:
        assert row[1] == "8" and float(row[3]) > 0, result.stdout
    assert [row[2] for row in rows[:5]] == ["float32", "xla", "mixed", "xla+mixed", "mirrored"]
    assert "MirroredStrategy" in rows[4][4] and "default" in rows[0][4], result.stdout
