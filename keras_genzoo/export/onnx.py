"""ONNX conversion of exported signatures, the onnxruntime parity check, and running
the ONNX files in onnxruntime or OpenVINO.

Each SavedModel signature becomes one ONNX graph (tf2onnx, opset 17 by
default) whose input and output names are the signature's own names ("z",
"x", "code", "label" in; "images", "reconstruction", "code" out), so a client
feeds the ONNX file exactly as it feeds TF Serving (DESIGN.md section 5).

tf2onnx and onnxruntime are an optional extra, and so is OpenVINO (a second runtime
the exported files are tested in, :func:`run_openvino`): they are imported inside the
functions, and a missing one is a one-line :class:`ExportError`. Their log
records, warnings and whatever they (or TensorFlow's C++ logging) write to
stderr while converting and checking are kept off the terminal unless
``verbose`` (:func:`third_party_output`): a failed conversion is the one-line
error, not tf2onnx's tracebacks.

Why ``tf2onnx.convert.from_function`` and not ``from_keras``: ``from_keras``
reads Keras 2 attributes (``model.output_names``, ``_get_save_spec``) that
Keras 3 models no longer have. A ``tf.function`` with an ``input_signature``
is what the SavedModel signatures already are, so converting it also converts
exactly the graph that TF Serving runs.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pathlib
import sys
import warnings
from typing import Any, Iterator, NamedTuple

import numpy as np

from keras_genzoo.errors import ExportError

ONNX_EXTRA_HINT = "ONNX export needs the 'onnx' extra: pip install 'keras-genzoo[onnx]' (or pass --no-onnx)"
OPENVINO_EXTRA_HINT = ("running ONNX files in OpenVINO needs the 'openvino' extra: "
                       "pip install 'keras-genzoo[openvino]'")
#: OpenVINO's CPU plugin infers in bfloat16 by default on processors with AVX512-BF16 or
#: AMX (its ``INFERENCE_PRECISION_HINT``); "f32" keeps the exported float32 arithmetic
OPENVINO_PRECISIONS = ("f32", "bf16", "f16")

#: the lowest opset tf2onnx supports: its README's "We support and test ONNX opset-14
#: to opset-18" (it adds that 6 to 13 "should work", but for TensorFlow 2.21 graphs 6
#: to 8 give graphs that onnxruntime rejects); the highest is the last one tf2onnx
#: has an IR version for (``tf2onnx.constants.OPSET_TO_IR_VERSION``: 18 in 1.17)
MIN_OPSET = 14
#: the Python loggers silenced while converting (and their children)
_QUIET_LOGGERS = ("tf2onnx", "onnx", "onnxruntime", "tensorflow")


def _require(module_name: str, hint: str = ONNX_EXTRA_HINT):
    """Import an optional dependency or fail with its install hint."""
    import importlib

    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise ExportError(hint) from error


def require_onnx_extra() -> None:
    """Fail early, before anything is written, when the ONNX extra is missing."""
    for module_name in ("tf2onnx", "onnx", "onnxruntime"):
        _require(module_name)


def supported_opsets() -> range:
    """The ONNX opsets the installed tf2onnx and onnx can write (14 to 18 for tf2onnx 1.17)."""
    _require("tf2onnx")
    onnx = _require("onnx")
    from tf2onnx import constants

    highest = min(max(constants.OPSET_TO_IR_VERSION), onnx.defs.onnx_opset_version())
    return range(MIN_OPSET, highest + 1)


def check_opset(opset) -> int:
    """``opset`` if tf2onnx supports it, else a one-line :class:`ExportError` naming the range.

    Called before anything is written (and before a run's model is loaded)."""
    supported = supported_opsets()
    if isinstance(opset, bool) or not isinstance(opset, int) or opset not in supported:
        raise ExportError(
            f"ONNX opset {opset!r} is not supported: tf2onnx converts opsets "
            f"{supported.start} to {supported.stop - 1} (pass --opset in that range, or --no-onnx)")
    return opset


@contextlib.contextmanager
def third_party_output(verbose: bool = False) -> Iterator[None]:
    """Keep tf2onnx's, onnx's and onnxruntime's output off the terminal unless ``verbose``.

    Inside the block: their Python loggers (and TensorFlow's) are silenced,
    warnings are ignored, ``sys.stderr`` is a throw-away buffer and file
    descriptor 2 (C++ logging: TensorFlow's, onnxruntime's) points to the null
    device. Everything is restored on exit, however the block ends, so an error
    raised inside reaches the user as genzoo's one line only.
    """
    if verbose:
        yield
        return
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    loggers += [logger for key, logger in list(logging.root.manager.loggerDict.items())
                if isinstance(logger, logging.Logger) and key.startswith(
                    tuple(f"{name}." for name in _QUIET_LOGGERS))]
    saved_loggers = [(logger, logger.level, logger.disabled) for logger in loggers]
    with contextlib.ExitStack() as restore:
        for logger in loggers:
            logger.disabled = True
        for name in _QUIET_LOGGERS:  # children created inside the block inherit this
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)

        @restore.callback
        def _restore_loggers():
            for logger, level, disabled in saved_loggers:
                logger.setLevel(level)
                logger.disabled = disabled

        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.flush()
        saved_fd = None
        try:
            null = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            null = None
        if null is not None:
            try:
                saved_fd = os.dup(2)
            except OSError:  # no fd 2 (a daemon): nothing to redirect
                saved_fd = None
            if saved_fd is not None:
                os.dup2(null, 2)
            os.close(null)
        if saved_fd is not None:

            @restore.callback
            def _restore_fd():
                os.dup2(saved_fd, 2)
                os.close(saved_fd)

        restore.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        restore.enter_context(contextlib.redirect_stderr(io.StringIO()))
        yield


def _as_tracing_function(fn, input_signature):
    """A ``tf.function`` with ``input_signature`` that tf2onnx can trace.

    tf2onnx calls ``fn.get_concrete_function(*input_signature)``, which a
    ConcreteFunction does not have; wrap it in a tf.function whose input
    specs carry the contracted names, calling it the way it was traced:
    positionally (traced from a Python function) or by keyword (a signature
    of a reloaded SavedModel takes keyword arguments only).
    """
    import tensorflow as tf

    if hasattr(fn, "get_concrete_function") and not isinstance(fn, tf.types.experimental.ConcreteFunction):
        return fn
    positional, _keyword = fn.structured_input_signature
    names = [spec.name for spec in input_signature]

    def call(*args):
        if positional:
            return fn(*args)
        return fn(**dict(zip(names, args)))

    return tf.function(call, input_signature=list(input_signature))


def _rename_value(graph, old: str, new: str) -> None:
    """Rename one value (tensor name) everywhere it appears in an ONNX graph."""
    if old == new:
        return
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new
        for i, name in enumerate(node.output):
            if name == old:
                node.output[i] = new
    for value in list(graph.input) + list(graph.output) + list(graph.value_info):
        if value.name == old:
            value.name = new


def _fix_names(
    model_proto, input_names: list[str], output_names: list[str], tf_output_order: list[str]
) -> None:
    """Make graph inputs/outputs carry the signature's names.

    tf2onnx (1.17) already renames a dict-returning function's outputs to the
    dict keys and its inputs to the TensorSpec names (``tensor_names_from_structed``);
    older releases leave TF tensor names such as ``z:0`` / ``Identity_1:0``.
    When the names are not already right, inputs and outputs still keep
    TensorFlow's flat order (inputs as in the signature, outputs as
    ``tf.nest.flatten`` of the dict: sorted keys), so they are renamed by position.
    """
    graph = model_proto.graph
    initializers = {init.name for init in graph.initializer}
    graph_inputs = [value.name for value in graph.input if value.name not in initializers]
    if len(graph_inputs) != len(input_names):
        raise ExportError(f"ONNX graph has inputs {graph_inputs}, expected {input_names}")
    if sorted(graph_inputs) != sorted(input_names):
        for old, new in zip(graph_inputs, input_names):
            _rename_value(graph, old, new)
    graph_outputs = [value.name for value in graph.output]
    if len(graph_outputs) != len(tf_output_order):
        raise ExportError(f"ONNX graph has outputs {graph_outputs}, expected {tf_output_order}")
    if sorted(graph_outputs) != tf_output_order:
        for old, new in zip(graph_outputs, tf_output_order):
            _rename_value(graph, old, new)
    final = sorted(value.name for value in graph.output)
    if final != sorted(output_names):
        raise ExportError(f"ONNX graph has outputs {final}, expected {sorted(output_names)}")


def convert_signature(
    fn, input_signature, output_path, *, opset: int = 17, output_names: list[str],
    verbose: bool = False,
) -> pathlib.Path:
    """Convert one signature function to an ONNX file and return its path.

    ``fn`` is a ``tf.function`` with ``input_signature`` or a ConcreteFunction
    (e.g. a reloaded SavedModel's signature) returning a dict; the ONNX inputs
    are named after ``input_signature``'s TensorSpec names and the outputs
    after ``output_names`` (the dict keys). tf2onnx's log stays quiet unless
    ``verbose``.
    """
    tf2onnx = _require("tf2onnx")
    onnx = _require("onnx")

    input_signature = list(input_signature)
    input_names = [spec.name for spec in input_signature]
    if any(not name for name in input_names):
        raise ValueError(f"every TensorSpec in the input signature needs a name, got {input_signature}")
    traceable = _as_tracing_function(fn, input_signature)
    concrete = traceable.get_concrete_function(*input_signature)
    structured = concrete.structured_outputs
    if not isinstance(structured, dict):
        raise ValueError("a signature function must return a dict of named outputs")
    # Flat TF output order == tf.nest.flatten(dict) == keys in sorted order.
    tf_output_order = sorted(structured)
    if sorted(output_names) != tf_output_order:
        raise ValueError(
            f"output_names {list(output_names)} do not match the function's outputs {tf_output_order}"
        )

    with third_party_output(verbose):
        model_proto, _external = tf2onnx.convert.from_function(
            traceable, input_signature=input_signature, opset=opset
        )
    _fix_names(model_proto, input_names, list(output_names), tf_output_order)
    output_path = pathlib.Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model_proto, str(output_path))
    return output_path


def onnx_session(path, *, threads: int | None = None):
    """An onnxruntime CPU session of an ONNX file (``threads``: its intra-op threads,
    one inter-op thread; None: onnxruntime's defaults)."""
    onnxruntime = _require("onnxruntime")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _feed(path, expected: list[str], inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    missing = sorted(set(expected) - set(inputs))
    if missing:
        raise ExportError(f"ONNX model {path} needs inputs {missing}")
    return {name: np.asarray(inputs[name]) for name in expected}


def run_onnx(path, inputs: dict[str, np.ndarray], *, session=None) -> dict[str, np.ndarray]:
    """Run an ONNX file in onnxruntime (CPU) and return its outputs by name
    (``session``: one made by :func:`onnx_session`, reused)."""
    session = onnx_session(path) if session is None else session
    feed = _feed(path, [value.name for value in session.get_inputs()], inputs)
    names = [value.name for value in session.get_outputs()]
    return dict(zip(names, session.run(names, feed)))


class OpenVINOModel(NamedTuple):
    """An ONNX file compiled by OpenVINO, with its ONNX output names.

    The names are read from the model before compiling: the CPU plugin's graph
    rewrites can give an output port a second name (an intermediate tensor's, when
    a final Sigmoid or Reshape moves), so a compiled port's first name is not always
    the ONNX output's."""

    compiled: Any
    input_names: list[str]
    output_names: list[str]
    path: str

    def run(self, inputs: dict[str, np.ndarray], request=None) -> dict[str, np.ndarray]:
        """Outputs by ONNX name for ``inputs`` (by name); ``request``: an infer request of
        ``compiled``, reused across calls (else a new one)."""
        feed = _feed(self.path, self.input_names, inputs)
        request = self.compiled.create_infer_request() if request is None else request
        results = request.infer(feed)
        # by position: the compiled ports are the model's, in its order; copied, since
        # the request owns its output tensors' memory
        return {name: np.array(results[port])
                for name, port in zip(self.output_names, self.compiled.outputs)}

    def dynamic_batch(self) -> bool:
        """Whether every input of rank >= 1 keeps a free first (batch) dimension."""
        shapes = [port.get_partial_shape() for port in self.compiled.inputs]
        return all(shape.rank.get_length() == 0 or shape[0].is_dynamic for shape in shapes)


def compile_openvino(path, *, precision: str | None = "f32", threads: int | None = None) -> OpenVINOModel:
    """An ONNX file compiled by OpenVINO for its CPU device.

    ``precision`` is the plugin's ``INFERENCE_PRECISION_HINT``: "f32" (the default here)
    computes in float32 like TensorFlow and onnxruntime; None leaves OpenVINO's own
    default, which is bfloat16 on processors with AVX512-BF16 or AMX (1e-3 to 1e-1 from
    float32 on this zoo's exports, docs/export.md). ``threads`` sets ``INFERENCE_NUM_THREADS``
    (None: all cores). The input shapes stay the ONNX file's, so the batch stays free.
    """
    if precision is not None and precision not in OPENVINO_PRECISIONS:
        raise ExportError(f"OpenVINO precision {precision!r} is not one of {', '.join(OPENVINO_PRECISIONS)}")
    openvino = _require("openvino", OPENVINO_EXTRA_HINT)
    config = {}
    if precision is not None:
        config["INFERENCE_PRECISION_HINT"] = precision
    if threads is not None:
        config["INFERENCE_NUM_THREADS"] = int(threads)
    core = openvino.Core()
    model = core.read_model(str(path))
    return OpenVINOModel(
        compiled=core.compile_model(model, "CPU", config),
        input_names=[port.get_any_name() for port in model.inputs],
        output_names=[port.get_any_name() for port in model.outputs], path=str(path))


def run_openvino(path, inputs: dict[str, np.ndarray], *, precision: str | None = "f32",
                 compiled: OpenVINOModel | None = None) -> dict[str, np.ndarray]:
    """Run an ONNX file in OpenVINO's CPU runtime and return its outputs by their ONNX
    names, as :func:`run_onnx` does (``compiled``: a :func:`compile_openvino` result,
    reused; else the file is compiled at ``precision``, float32 by default)."""
    if compiled is None:
        compiled = compile_openvino(path, precision=precision)
    return compiled.run(inputs)


def first_nonfinite(outputs: dict[str, np.ndarray]) -> str | None:
    """The name of the first output (sorted) holding a NaN or an infinity, else None."""
    for key in sorted(outputs):
        values = np.asarray(outputs[key])
        if values.dtype.kind in "fc" and not np.isfinite(values).all():
            return key
    return None


def _elementwise_diff(left: np.ndarray, right: np.ndarray) -> float:
    """Largest ``|left - right|``; a non-finite value counts as an infinite difference
    unless the other side holds the same one (NaN and NaN, +inf and +inf)."""
    if left.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: masked below
        same = (left == right) | (np.isnan(left) & np.isnan(right))
        finite = np.isfinite(left) & np.isfinite(right)
        diff = np.where(same, 0.0, np.where(finite, np.abs(left - right), np.inf))
    return float(diff.max())


def _paired(a: dict[str, np.ndarray], b: dict[str, np.ndarray]):
    if set(a) != set(b):
        raise ExportError(f"outputs differ: {sorted(a)} vs {sorted(b)}")
    for key in sorted(a):
        left = np.asarray(a[key], dtype=np.float64)
        right = np.asarray(b[key], dtype=np.float64)
        if left.shape != right.shape:
            raise ExportError(f"output {key!r} has shape {left.shape} vs {right.shape}")
        yield left, right


def max_scaled_diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Largest ``|a - b| / max(1, |b|)`` over all outputs: an absolute difference for
    values up to 1 (images), a relative one above (features in original units, where
    float32 itself resolves only ~1e-7 of the value). A non-finite value on one side
    only is an infinite difference (a NaN in ``b`` does not scale it away)."""
    worst = 0.0
    for left, right in _paired(a, b):
        reference = np.maximum(1.0, np.abs(np.where(np.isfinite(right), right, 0.0)))
        worst = max(worst, _elementwise_diff(left / reference, right / reference))
    return worst


def max_abs_diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Largest absolute difference over all outputs of two runs (0.0 if none).

    A NaN or infinity in one result but not the other counts as an infinite
    difference (``nan > tolerance`` is False and would otherwise pass a parity check).
    """
    worst = 0.0
    for left, right in _paired(a, b):
        worst = max(worst, _elementwise_diff(left, right))
    return worst
