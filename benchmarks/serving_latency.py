"""Serving latency of one export per family: the SavedModel (TensorFlow), its ONNX file
in onnxruntime, and the same file in OpenVINO at float32 and at OpenVINO's default
precision (bfloat16 on processors with AVX512-BF16 or AMX), with that default's error.

For each family (one model of each: dcgan, cgan, progan, stylegan, ae, vae, radialgan,
adain-style, classifier) the script

1. trains a short run of the default preset (``--steps``, batch 64; the progressive GANs
   with a schedule shortened to 64 images per phase, so that they export at their full
   ``image_size``, not mid-growth), unless ``--run FAMILY=RUN`` names one;
2. exports it (``genzoo export``'s function: SavedModel + ONNX, checked in onnxruntime);
3. times one request of its ``serving_default`` signature at batch 1 and batch 64
   (adain-style: ``--style-size`` square images, batch 1 and ``--style-batch``): the
   reloaded SavedModel signature, an onnxruntime session, an OpenVINO compiled model
   with ``INFERENCE_PRECISION_HINT`` f32 and one with the device's default hint. A
   request is the whole call, NumPy in and NumPy out; the number is the median of
   ``--repeats`` requests after ``--warmup`` ones;
4. records each runtime's largest difference from TensorFlow on the same request,
   scaled as the export's parity check (``|x - tf| / max(1, |tf|)``).

Threads: every runtime gets ``--threads`` (default 2) intra-op threads and one inter-op
thread: ``tf.config.threading.set_{intra,inter}_op_parallelism_threads`` before
TensorFlow starts, onnxruntime's ``SessionOptions.intra_op_num_threads`` /
``inter_op_num_threads``, OpenVINO's ``INFERENCE_NUM_THREADS``.

The table goes to ``docs/benchmarks.md`` between ``<!-- serving-latency:start -->``
and ``<!-- serving-latency:end -->``.

    python benchmarks/serving_latency.py [--families dcgan,vae] [--run dcgan=runs/dcgan]
        [--repeats 20] [--work /tmp/serving_latency] [--no-docs]
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import statistics
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

START, END = "<!-- serving-latency:start -->", "<!-- serving-latency:end -->"
#: one model of each family; the progressive GANs' schedule shortened so that a short
#: run completes its growth (4 -> 32 in 4 phases: 64 * 4 + 64 * 3 = 448 images, 7 steps)
FAMILIES = {
    "dcgan": {},
    "cgan": {},
    "progan": {"fade_images": "64", "stable_images": "64"},
    "stylegan": {"fade_images": "64", "stable_images": "64"},
    "ae": {},
    "vae": {},
    "radialgan": {},
    "adain-style": {},
    "classifier": {},
}
PROGRESSIVE_STEPS = 8
SIGNATURE = "serving_default"


def request_inputs(signature, batch: int, side: int, given: dict | None = None) -> dict:
    """Inputs for ``signature`` from its own specs, as the export's check makes them
    (``savedmodel.random_inputs``): the batch dimension ``batch``, other free dimensions
    (an image's height and width) ``side``.

    ``given`` (the model's own export check inputs) are used instead, their rows
    cycled to ``batch``, when they exist and the batch is the only free dimension:
    radialgan's rows in original units, where uniform [0, 1] values would be hundreds
    of standard deviations out."""
    import numpy as np
    import tensorflow as tf

    from keras_genzoo.export.savedmodel import random_inputs

    specs = sorted(signature.structured_input_signature[1].items())
    if given and all(None not in spec.shape.as_list()[1:] for _, spec in specs):
        return {name: np.take(given[name], np.arange(batch) % len(given[name]), axis=0)
                if np.ndim(given[name]) else given[name] for name, _ in specs}
    return random_inputs([tf.TensorSpec(spec.shape, spec.dtype, name=name)
                          for name, spec in specs], batch=batch, other_free=side)


def median_ms(calls: dict, repeats: int, warmup: int) -> dict[str, float]:
    """Median milliseconds of each call, timed in rounds (every call once per round) so
    that other load on the machine falls on all of them alike."""
    for call in calls.values():
        for _ in range(warmup):
            call()
    times = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def short_run(family: str, work: pathlib.Path, steps: int) -> pathlib.Path:
    from keras_genzoo import runs
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    out = work / "runs" / family
    if runs.is_run_dir(out):
        return out
    progressive = bool(FAMILIES[family])  # batch 64: the schedule's 448 images in 7 steps
    plan = plan_lib.resolve_plan(family, overrides=dict(FAMILIES[family]), out_dir=str(out),
                                 steps=PROGRESSIVE_STEPS if progressive else steps,
                                 batch_size=64 if progressive else None)
    trainer.train(plan, verbose=0)
    return out


def measure(family, run, args):
    import openvino
    import tensorflow as tf

    from keras_genzoo import runs
    from keras_genzoo.commands.export import export_run
    from keras_genzoo.export import onnx as onnx_export
    from keras_genzoo.export.savedmodel import read_metadata

    result = export_run(run, args.work / "exports", name=family)
    given = runs.load_trained_model(run)[0].export_parity_inputs().get(SIGNATURE)
    steps = read_metadata(result.path)["step"]
    path = result.onnx_files[SIGNATURE]
    signature = tf.saved_model.load(str(result.path)).signatures[SIGNATURE]
    session = onnx_export.onnx_session(path, threads=args.threads)
    compiled = {"f32": onnx_export.compile_openvino(path, precision="f32", threads=args.threads),
                "default": onnx_export.compile_openvino(path, precision=None, threads=args.threads)}
    requests = {key: model.compiled.create_infer_request() for key, model in compiled.items()}
    style = family == "adain-style"
    batches = (1, args.style_batch) if style else (1, 64)
    rows = []
    for batch in batches:
        inputs = request_inputs(signature, batch, args.style_size, given)

        def tensorflow():
            outputs = signature(**{key: tf.constant(value) for key, value in inputs.items()})
            return {key: value.numpy() for key, value in outputs.items()}

        def openvino_call(key):
            return lambda: compiled[key].run(inputs, requests[key])

        calls = {"tf": tensorflow,
                 "onnxruntime": lambda: onnx_export.run_onnx(path, inputs, session=session),
                 "openvino_f32": openvino_call("f32"),
                 "openvino_default": openvino_call("default")}
        expected = tensorflow()
        output_shape = {key: ["B", *value.shape[1:]] for key, value in sorted(expected.items())}
        repeats = min(args.repeats, args.style_repeats) if style else args.repeats
        row = {"batch": batch, **median_ms(calls, repeats, args.warmup)}
        for name, call in calls.items():
            if name != "tf":
                row[f"{name}_error"] = onnx_export.max_scaled_diff(call(), expected)
        rows.append(row)
        print(f"{family} batch {batch}: " + ", ".join(
            f"{key} {value:.3g}" for key, value in row.items() if key != "batch"), flush=True)
    default_hint = compiled["default"].compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
    return {"family": family, "steps": steps, "shape": output_shape, "rows": rows, "style": style,
            "default_hint": default_hint, "openvino": openvino.__version__}


def _format_shape(shapes: dict) -> str:
    return "; ".join(f"{key} {'x'.join(str(d) for d in shape)}" for key, shape in shapes.items())


def section(results, args, command) -> str:
    import onnxruntime

    from benchmarks.docs_section import machine_description

    hint = results[0]["default_hint"] if results else "?"
    worst_f32 = max(max(row["onnxruntime_error"], row["openvino_f32_error"])
                    for result in results for row in result["rows"])
    lines = [
        START,
        "## Serving latency: SavedModel, onnxruntime, OpenVINO (issue 21)",
        "",
        "Milliseconds per request of one export per family (its `serving_default`"
        " signature), median of "
        f"{args.repeats} requests after {args.warmup} warm-up ones, timed in rounds (each"
        " runtime once per round, so that other load falls on all alike), at batch 1 and"
        " 64: the"
        " reloaded SavedModel (TF), the ONNX file in onnxruntime (ORT), in OpenVINO at"
        " float32 (`INFERENCE_PRECISION_HINT` f32, what `run_openvino` uses) and at"
        f" OpenVINO's default precision on this CPU ({hint}). A request is the whole call,"
        " NumPy in and NumPy out, on the same inputs for every runtime. Every runtime has"
        f" {args.threads} intra-op threads and 1 inter-op thread (TensorFlow:"
        " `tf.config.threading`; onnxruntime: `SessionOptions`; OpenVINO:"
        " `INFERENCE_NUM_THREADS`). The models are the default presets, trained the"
        " `steps` of the table: a short run (progan and stylegan on a schedule of 64"
        " images per phase, so that they export at their full resolution) unless a"
        " longer run was given with `--run`. Latency does not depend on the training;"
        " the bfloat16 error does (a generator two steps from its initialisation can"
        " saturate its output, where rounding matters little). adain-style is timed on"
        f" {args.style_size}x{args.style_size} content and style images at batch 1 and"
        f" {args.style_batch}, median of {min(args.repeats, args.style_repeats)} requests"
        " (a 256 px pair takes about a second on 2 cores, so 64 pairs are far beyond a"
        " serving request)."
        " `default err` is OpenVINO's default precision against TF on the same request,"
        " scaled as the export's parity check (`|x - tf| / max(1, |tf|)`); ORT and"
        f" OpenVINO f32 are within {worst_f32:.1e} of TF on every row.",
        "",
        "| family | steps | output | batch | TF ms | ORT ms | OpenVINO f32 ms "
        f"| OpenVINO {hint} ms | {hint} err |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for row in result["rows"]:
            lines.append(
                f"| {result['family']} | {result['steps']} | {_format_shape(result['shape'])} "
                f"| {row['batch']} "
                f"| {row['tf']:.2f} | {row['onnxruntime']:.2f} | {row['openvino_f32']:.2f} "
                f"| {row['openvino_default']:.2f} | {row['openvino_default_error']:.1e} |")
    lines += [
        "",
        f"Machine: {machine_description()}; onnxruntime {onnxruntime.__version__}, OpenVINO "
        f"{results[0]['openvino'] if results else '?'}. Measured "
        f"{datetime.date.today().isoformat()} with `{command}`, on 2 cores shared with other"
        " work: differences under ~20% are noise.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--run", action="append", default=[], metavar="FAMILY=RUN",
                        help="use this run for the family instead of training one")
    parser.add_argument("--steps", type=int, default=2, help="training steps of a short run")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--style-size", type=int, default=256)
    parser.add_argument("--style-batch", type=int, default=4)
    parser.add_argument("--style-repeats", type=int, default=7,
                        help="adain-style's repeats (a 256 px request takes seconds)")
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/serving_latency"))
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args(argv)
    families = [name.strip() for name in args.families.split(",") if name.strip()]
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown families {unknown}; choose from {', '.join(FAMILIES)}")
    given = dict(item.split("=", 1) for item in args.run)

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for family in families:
        run = pathlib.Path(given[family]) if family in given else short_run(family, args.work, args.steps)
        results.append(measure(family, run, args))
    command = "python benchmarks/serving_latency.py" + "".join(
        f" {arg}" for arg in (argv if argv is not None else sys.argv[1:]))
    text = section(results, args, command)
    print(text)
    if not args.no_docs:
        from benchmarks.docs_section import write_section

        write_section(REPO / "docs" / "benchmarks.md", text, START, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
