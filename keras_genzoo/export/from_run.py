"""Export a trained run: rebuild its networks from the latest checkpoint, then
write the SavedModel (TF Serving layout) and ONNX files (DESIGN.md section 5).

The model is rebuilt in float32 whatever precision it trained in, so exports
are always float32 at the boundary.
"""

from __future__ import annotations

import pathlib

from keras_genzoo.export.savedmodel import ExportResult, export_model


def export_run(
    run_dir,
    base_dir,
    *,
    name: str | None = None,
    version: int | None = None,
    onnx: bool = True,
    opset: int = 17,
) -> ExportResult:
    from keras_genzoo.training.run import checkpoint_step, load_trained_model

    run_dir = pathlib.Path(run_dir)
    model, saved = load_trained_model(run_dir)
    module, signatures = model.export_signatures()
    metadata = {
        "model": saved["model"],
        "kind": model.kind,
        "preset": saved.get("preset"),
        "config": saved["config"],
        "dataset": saved.get("train", {}).get("dataset"),
        "data_dir": saved.get("train", {}).get("data_dir"),
        "manual_dir": saved.get("train", {}).get("manual_dir"),
        "step": int(checkpoint_step(run_dir) or 0),
        "run": str(run_dir.resolve()),
        "versions": saved.get("versions", {}),
    }
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
    )

