"""The shape of the code (DESIGN.md section 2): dependencies point one way, nothing
imports in a circle, and no function-local import hides a dependency.

Every ``import`` and ``from ... import`` of the package's own modules counts, at
module level or inside a function, absolute or relative. A part is a sub-package
(``models``) or a top-level module (``runs``); each has a layer, and a part may
import only parts of lower layers (or itself).
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "keras_genzoo"

#: layer of each part; a part imports only parts of a lower layer
LAYERS = {
    "__init__": 0, "errors": 0,
    "config": 1,
    "registry": 2, "layers": 2, "losses": 2, "data": 2,
    "runs": 3, "networks": 3,
    "models": 4,
    # metrics and export build on models; the trainer scores models as they train
    # (held-out metrics, --eval-every, mode coverage), so training sits above metrics
    "metrics": 5, "export": 5,
    "training": 6,
    "commands": 7,
    "zoo_cli": 8,
}
#: function-local imports of our own modules that are there on purpose, with the reason
DEFERRED_IMPORTS = {
    # `from keras_genzoo.data import open_source` must not load TensorFlow: `genzoo list`
    # reads the dataset catalog from this package
    ("keras_genzoo/data/__init__.py", "keras_genzoo.data.sources"),
}


def _module_name(path: pathlib.Path, root: pathlib.Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources(root: pathlib.Path = ROOT):
    for top in (PACKAGE, "zoo_cli"):
        yield from sorted((root / top).rglob("*.py"))


def _imports(path: pathlib.Path, root: pathlib.Path = ROOT):
    """``(target module, line, inside a function)`` for each import of our own code."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local_nodes = {id(sub) for node in ast.walk(tree)
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for sub in ast.walk(node)}
    for node in ast.walk(tree):
        local = id(node) in local_nodes
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, local
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # `from keras_genzoo import runs` imports the module keras_genzoo.runs
                candidate = f"{source}.{alias.name}"
                where = root / pathlib.Path(*candidate.split("."))
                is_module = where.with_suffix(".py").is_file() or where.is_dir()
                yield (candidate if is_module else source), node.lineno, local


def _part(module: str) -> str | None:
    bits = module.split(".")
    if bits[0] == "zoo_cli":
        return "zoo_cli"
    if bits[0] != PACKAGE:
        return None
    return bits[1] if len(bits) > 1 else "__init__"


def _own_imports(root: pathlib.Path = ROOT):
    for path in _sources(root):
        for target, line, local in _imports(path, root):
            if _part(target) is not None:
                yield path, target, line, local


def _imports_against_the_layers(root: pathlib.Path = ROOT) -> list[str]:
    wrong = []
    for path, target, line, _ in _own_imports(root):
        source_part, target_part = _part(_module_name(path, root)), _part(target)
        if source_part != target_part and LAYERS[target_part] >= LAYERS[source_part]:
            wrong.append(f"{path.relative_to(root)}:{line} {source_part} -> {target_part} "
                         f"({target})")
    return wrong


def test_every_part_has_a_layer():
    parts = {_part(_module_name(path)) for path in _sources()}
    assert parts <= set(LAYERS), f"parts without a layer: {sorted(parts - set(LAYERS))}"


def test_dependencies_point_down_the_layers():
    wrong = _imports_against_the_layers()
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_module_imports_in_a_circle():
    graph: dict[str, set[str]] = {}
    modules = {_module_name(path) for path in _sources()}
    for path, target, _, _ in _own_imports():
        # `from keras_genzoo.data import open_source` depends on the package's __init__
        while target not in modules and "." in target:
            target = target.rpartition(".")[0]
        source = _module_name(path)
        if target != source and not source.startswith(target + "."):
            graph.setdefault(source, set()).add(target)
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(trail[trail.index(nxt):] + [nxt]))
            if not state.get(nxt):
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])


def test_no_function_local_import_hides_a_dependency():
    hidden = sorted(f"{path.relative_to(ROOT)}:{line} imports {target}"
                    for path, target, line, local in _own_imports()
                    if local and (str(path.relative_to(ROOT)), target) not in DEFERRED_IMPORTS)
    assert not hidden, "function-local imports of our own modules:\n" + "\n".join(hidden)


def test_the_layer_check_sees_a_wrong_import(tmp_path):
    """Not vacuous: in a copy of the layout, a model importing the trainer is caught,
    with a relative import as well as an absolute one."""
    for folder in ("keras_genzoo/models", "keras_genzoo/training", "zoo_cli"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "keras_genzoo" / "__init__.py").write_text("")
    (tmp_path / "keras_genzoo/training/trainer.py").write_text("import keras_genzoo.models\n")
    (tmp_path / "keras_genzoo/models/gan.py").write_text(
        "def f():\n    from ..training import trainer\n")
    assert _imports_against_the_layers(tmp_path) == [
        "keras_genzoo/models/gan.py:2 models -> training (keras_genzoo.training.trainer)"]
    (tmp_path / "keras_genzoo/models/gan.py").write_text("from keras_genzoo import training\n")
    assert len(_imports_against_the_layers(tmp_path)) == 1
