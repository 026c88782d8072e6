"""docs/export.md's (and README's) serving recipes run as a user pastes them.

Every block after a ``<!-- serving-recipe -->`` marker is executed unchanged (only
the ports differ): shell blocks with bash and the real curl against the REST
stand-in, the Python gRPC client against the gRPC stand-in, both answering from
fresh exports of each family's default preset (radialgan trained for one step on
its default ``domains:breast_cancer``, whose statistics the graph needs). Every
request the recipes send must be answered with status 200 and the signature's
outputs at the request's batch size; the docker line must be the one models.config
writes. A recipe that drifts from the exports fails here.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from keras_genzoo import config as config_lib
from keras_genzoo import registry
from keras_genzoo.commands.export import export_run
from keras_genzoo.export import serving
from keras_genzoo.export.model_server import ModelServer
from keras_genzoo.export.savedmodel import MODELS_CONFIG, _docker_line, export_model
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer
from serving_servers import grpc_server, rest_server

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
#: the files whose marked recipes are run
DOCS = (REPOSITORY / "docs" / "export.md", REPOSITORY / "README.md")
RECIPE = re.compile(r"<!-- serving-recipe(?:: (?P<kind>[a-z]+))? -->\n```(?P<lang>\w*)\n"
                    r"(?P<body>.*?)```", re.S)
#: what the issue asks the docs to show: (model, signature) pairs, each in a recipe
REQUIRED = {("dcgan", "serving_default"), ("cgan", "serving_default"),
            ("stylegan", "serving_default"), ("ae", "encode"), ("ae", "decode"),
            ("radialgan", "translate_0_to_1"), ("adain-style", "stylize")}


def _recipes():
    return [(m["kind"], m["lang"], m["body"]) for path in DOCS
            for m in RECIPE.finditer(path.read_text())]


def _default_model(name):
    spec = registry.get(name)
    model_class = spec.load_class()
    _, preset = spec.preset(None)
    import keras

    keras.utils.set_random_seed(0)
    return model_class(config_lib.build_config(model_class.config_class, preset.config, {}, {}))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``(working directory holding exports/ and the recipes' images, ModelServer)``."""
    work = tmp_path_factory.mktemp("serving-docs")
    root = work / "exports"
    for name in ("dcgan", "cgan", "stylegan", "ae", "adain-style"):
        model = _default_model(name).prepare()
        module, signatures = model.export_signatures()
        export_model(module, signatures, base_dir=root, name=name, onnx=False,
                     parity_inputs=model.export_parity_inputs())
    plan = plan_lib.resolve_plan("radialgan", overrides={"hidden_units": "16,16"},
                                 out_dir=str(work / "radialgan-run"), steps=1)
    trainer.train(plan, verbose=0)
    export_run(work / "radialgan-run", root, onnx=False)
    rng = np.random.default_rng(0)
    Image.fromarray((rng.uniform(0, 255, (20, 24))).astype(np.uint8)).save(work / "digit.png")
    for image in ("content.jpg", "style.jpg"):
        Image.fromarray(rng.uniform(0, 255, (50, 70, 3)).astype(np.uint8)).save(work / image)
    return work, ModelServer(root)


def test_the_docs_have_the_recipes():
    kinds = [kind for kind, _, _ in _recipes()]
    assert kinds.count("docker") == 1
    assert sum(lang == "bash" for _, lang, _ in _recipes()) >= 8  # README's too
    assert sum(lang == "python" for _, lang, _ in _recipes()) == 1


def test_the_docker_line_is_the_one_models_config_writes(served, monkeypatch):
    work, _ = served
    monkeypatch.chdir(work)
    (docker,) = [body.strip() for kind, _, body in _recipes() if kind == "docker"]
    assert docker == _docker_line(pathlib.Path("exports"))
    # written from another directory, models.config mounts the absolute path
    absolute = docker.replace("$PWD/exports", (work / "exports").resolve().as_posix())
    assert f"#   {absolute}" in (work / "exports" / MODELS_CONFIG).read_text()


def _environment():
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([os.path.dirname(sys.executable),
                                           environment.get("PATH", "")])
    return environment


def test_every_curl_recipe_gets_its_answer(served):
    work, server = served
    calls = []
    answer_rest = server.rest

    def recorded(path, body):
        status, answer = answer_rest(path, body)
        calls.append((path, json.loads(body), status, answer))
        return status, answer

    server.rest = recorded
    try:
        with rest_server(server) as port:
            for kind, lang, body in _recipes():
                if lang != "bash":
                    continue
                script = body.replace("localhost:8501", f"localhost:{port}")
                finished = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script],
                                          cwd=work, env=_environment(), capture_output=True,
                                          text=True, timeout=300)
                assert finished.returncode == 0, (body, finished.stderr[-2000:])
    finally:
        server.rest = answer_rest
    asked = set()
    formats = set()
    for path, body, status, answer in calls:
        assert status == 200, (path, answer)
        name = re.fullmatch(r"/v1/models/([^/:]+):predict", path).group(1)
        signature = body.get("signature_name", "serving_default")
        asked.add((name, signature))
        formats.add("instances" if "instances" in body else "inputs")
        outputs = server.signatures(name)[signature]["outputs"]
        arrays = serving.answer_arrays(answer, outputs)
        rows = len(body["instances"]) if "instances" in body else len(
            next(iter(body["inputs"].values())))
        for output, info in outputs.items():
            assert arrays[output].shape[0] == rows, (name, signature, output)
            assert list(arrays[output].shape[1:]) == [
                d if d is not None else arrays[output].shape[i + 1]
                for i, d in enumerate(info["shape"][1:])]
            assert np.isfinite(arrays[output]).all()
    assert REQUIRED <= asked, REQUIRED - asked
    assert formats == {"instances", "inputs"}
    cgan = [body for path, body, _, _ in calls if "/cgan:" in path]
    assert all("label" in item for body in cgan for item in body["instances"])
    stylegan = [body for path, body, _, _ in calls if "/stylegan:" in path]
    assert len(stylegan) == 2 and all("truncation_psi" in json.dumps(b) for b in stylegan)


def test_the_grpc_client_recipe_runs(served):
    work, server = served
    (client,) = [body for _, lang, body in _recipes() if lang == "python"]
    assert "localhost:8500" in client
    with grpc_server(server) as port:
        finished = subprocess.run(
            [sys.executable, "-c", client.replace("localhost:8500", f"127.0.0.1:{port}")],
            cwd=work, env=_environment(), capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    shape = server.signatures("stylegan")["serving_default"]["outputs"]["images"]["shape"]
    assert finished.stdout.strip() == f"(4, {shape[1]}, {shape[2]}, 1) from version 1"
