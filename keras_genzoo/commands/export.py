"""``genzoo export RUN --to DIR``: rebuild a run's networks from its latest checkpoint,
then write the SavedModel (TF Serving layout) and ONNX files (DESIGN.md section 5).

The model is rebuilt in float32 whatever precision it trained in, so exports
are always float32 at the boundary.
"""

from __future__ import annotations

import pathlib

from keras_genzoo import runs
from keras_genzoo.errors import GenzooError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export import serving
from keras_genzoo.export.savedmodel import ExportResult, export_model


#: genzoo export --opset
DEFAULT_OPSET = 17


def run(args) -> int:
    if args.no_onnx and args.opset is not None:
        raise GenzooError("--opset sets the ONNX files' opset, and --no-onnx skips them: "
                          "drop one")
    opset = DEFAULT_OPSET if args.opset is None else args.opset
    return export_and_report(args.run, args.to, name=args.name, version=args.version,
                             onnx=not args.no_onnx, opset=opset, warmup=not args.no_warmup,
                             version_policy=args.version_policy, verbose=args.verbose)


def check_serving_request(*, warmup=True, version_policy=None) -> dict | None:
    """Fail early (before a run is loaded or trained) on a missing
    tensorflow-serving-api or a malformed ``--version-policy``; the parsed policy."""
    if warmup:
        serving.require_serving_api()
    return None if version_policy is None else serving.parse_version_policy(version_policy)


def export_and_report(run_dir, to, *, name=None, version=None, onnx=True, opset=17,
                      warmup=True, version_policy=None, verbose=False) -> int:
    """Export and print where the export went (``genzoo export``, ``genzoo train --export``).

    ``verbose``: let tf2onnx's own log through (``--verbose``)."""
    result = export_run(run_dir, to, name=name, version=version, onnx=onnx, opset=opset,
                        warmup=warmup, version_policy=version_policy, verbose=verbose)
    print(f"genzoo: exported {result.name} version {result.version} to {result.path}")
    for signature, path in result.onnx_files.items():
        print(f"genzoo: onnx {signature}: {path} "
              f"(max abs diff vs TF {result.onnx_max_abs_diff[signature]:.1e})")
    if result.warmup_file is not None:
        print(f"genzoo: TF Serving warmup requests: {result.warmup_file}")
    served = ", ".join(str(v) for v in result.served_versions) or "none"
    policy = serving.format_version_policy(result.version_policy)
    print(f"genzoo: models.config serves {result.name} version(s) {served} "
          f"(--version-policy {policy})")
    if result.version not in result.served_versions:
        print(f"genzoo: note: version {result.version} is not served under this policy; "
              "export again with another --version-policy to change it")
    return 0


def export_run(
    run_dir,
    base_dir,
    *,
    name: str | None = None,
    version: int | None = None,
    onnx: bool = True,
    opset: int = 17,
    warmup: bool = True,
    version_policy: str | dict | None = None,
    verbose: bool = False,
) -> ExportResult:
    """The run's model as ``base_dir/<name>/<version>/`` (name: the model's)."""
    run_dir = pathlib.Path(run_dir)
    if onnx:  # before the (slow) restore of the model; export_model checks again
        onnx_export.require_onnx_extra()
        onnx_export.check_opset(opset)
    check_serving_request(  # export_model parses the policy text again, cheaply
        warmup=warmup, version_policy=version_policy if isinstance(version_policy, str) else None)
    model, saved = runs.load_trained_model(run_dir)
    module, signatures = model.export_signatures()
    train = saved.get("train", {})
    metadata = {
        "model": saved["model"],
        "kind": model.kind,
        "preset": saved.get("preset"),
        "config": saved["config"],
        "dataset": train.get("dataset"),
        "data_dir": train.get("data_dir"),
        "manual_dir": train.get("manual_dir"),
        "step": int(runs.checkpoint_number(model.checkpoint_path) or 0),
        "run": str(run_dir.resolve()),
        "versions": saved.get("versions", {}),
        **model.export_metadata(),
    }
    if model.data_kind == "domains":
        metadata.update(domain_metadata(runs.read_data_statistics(run_dir)))
    return export_model(
        module,
        signatures,
        base_dir=base_dir,
        name=name or saved["model"],
        version=version,
        metadata=metadata,
        onnx=onnx,
        opset=opset,
        parity_inputs=model.export_parity_inputs(),
        signature_tolerances=model.export_onnx_tolerances(),
        warmup=warmup,
        version_policy=version_policy,
        verbose=verbose,
    )


def domain_metadata(statistics) -> dict:
    """What a serving client of a multi-domain (RadialGAN) export needs from the run's
    ``data_statistics.json``: the domains in signature order with their feature names
    (the columns of ``x`` and ``features``), the original label value of each class
    index, and a ``csv:`` table's label and categorical columns. The standardization is
    in the graph already."""
    entry = {
        "domains": [{"name": domain["name"], "feature_names": list(domain["feature_names"])}
                    for domain in statistics["domains"]],
        "label_classes": list(statistics["label_classes"]),
    }
    for key in ("label_column", "domain_column", "categorical_columns"):
        if key in statistics:
            entry[key] = statistics[key]
    return entry
