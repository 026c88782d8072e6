"""Export: SavedModel in TF Serving's layout, models.config, ONNX with parity checks.

Importing this package does not import TensorFlow; the names below are loaded
on first use (``from keras_genzoo.export import export_model``), or import
them directly from ``keras_genzoo.export.savedmodel`` / ``keras_genzoo.export.onnx``.
"""

import importlib

_SAVEDMODEL_NAMES = (
    "ExportError",
    "ExportResult",
    "export_model",
    "resolve_version_dir",
    "read_signatures",
    "format_signatures",
    "read_metadata",
    "load_export",
    "write_models_config",
)
_ONNX_NAMES = ("convert_signature", "run_onnx", "compile_openvino", "run_openvino", "max_abs_diff")

__all__ = list(_SAVEDMODEL_NAMES + _ONNX_NAMES)


def __getattr__(name):
    if name in _SAVEDMODEL_NAMES:
        module = importlib.import_module("keras_genzoo.export.savedmodel")
    elif name in _ONNX_NAMES:
        module = importlib.import_module("keras_genzoo.export.onnx")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


def __dir__():
    return sorted(list(globals()) + __all__)
