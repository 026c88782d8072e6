"""The CLI's verbs, one module each: the only layer that combines training, metrics and
export (DESIGN.md section 2).

Each module has ``run(args) -> int``, called by :mod:`zoo_cli.main` with the parsed
arguments, and the Python functions behind it (``sample_grid``, ``evaluate_path``,
``export_run`` ...), which take plain values. ``zoo_cli`` imports a verb's module only
when that verb runs, so that ``genzoo --help`` and ``genzoo list`` do not load
TensorFlow.
"""

#: CLI verb -> module of this package
VERBS = {"list": "list_models", "train": "train", "sample": "sample", "export": "export",
         "eval": "eval", "encode": "encode", "manifold": "manifold", "info": "info",
         "radialgan": "radialgan", "stylize": "stylize"}
