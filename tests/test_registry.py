"""Registry and config validation: names, aliases, presets, --set parsing."""

import dataclasses
import json
import subprocess
import sys
from typing import Literal

import pytest

from keras_genzoo import config as config_lib
from keras_genzoo import registry
from keras_genzoo.errors import ConfigError, GenzooError


def test_names_are_lower_case_with_hyphens_and_underscores_are_aliases():
    assert "dcgan" in registry.names() and "ae" in registry.names()
    for name in registry.names():
        assert name == name.lower() and "_" not in name
    assert registry.get("DCGAN").name == "dcgan"
    registry.register(dataclasses.replace(registry.get("ae"), name="test-only-ae"))
    try:
        assert registry.get("test_only_ae").name == "test-only-ae"
    finally:
        registry._MODELS.pop("test-only-ae")


def test_unknown_model_lists_the_valid_names():
    with pytest.raises(GenzooError) as error:
        registry.get("stylegan9")
    assert "stylegan9" in str(error.value)
    for name in registry.names():
        assert name in str(error.value)


def test_presets_resolve_and_unknown_preset_lists_valid_ones():
    spec = registry.get("ae")
    assert spec.preset(None)[0] == spec.default_preset == "conv"
    assert spec.preset("dense")[1].config["architecture"] == "dense"
    with pytest.raises(GenzooError, match="conv, dense"):
        spec.preset("sparse")


def test_every_preset_builds_a_valid_config():
    for spec in registry.all_specs():
        config_class = spec.load_class().config_class
        for preset in spec.presets.values():
            config_lib.build_config(config_class, preset.config)


def test_registry_and_cli_parser_do_not_import_tensorflow():
    code = (
        "import sys; import zoo_cli.main as m; m.build_parser(); "
        "from keras_genzoo import registry; from keras_genzoo.data import catalog; "
        "registry.names(); assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_each_family_lives_in_its_own_folder_and_declares_its_test_hooks():
    for spec in registry.all_specs():
        folder = f"keras_genzoo.models.{spec.name.replace('-', '_')}"
        assert spec.target.startswith(f"{folder}.model:"), spec.target
        assert spec.reference_step.startswith(f"{folder}.reference_step:"), spec.reference_step
        assert spec.tiny and all(isinstance(v, str) for v in spec.tiny.values()), spec.name


def test_a_family_without_a_reference_step_says_so():
    spec = dataclasses.replace(registry.get("ae"), reference_step="")
    with pytest.raises(GenzooError, match="no reference step"):
        spec.load_reference_step()


@dataclasses.dataclass(frozen=True)
class _Example:
    rate: float = 0.1
    units: int = 4
    flag: bool = False
    layers: tuple[int, ...] = (8,)
    mode: Literal["a", "b"] = "a"
    name: str = "x"


def test_set_values_are_coerced_to_the_field_types():
    cfg = config_lib.build_config(
        _Example,
        config_lib.parse_set_arguments(
            ["rate=0.5", "units=12", "flag=yes", "layers=16,32", "mode=b", "name=hello"]
        ),
    )
    assert cfg == _Example(0.5, 12, True, (16, 32), "b", "hello")


@pytest.mark.parametrize(
    "pair, fragment",
    [
        ("units=abc", "expected an integer"),
        ("rate=fast", "expected a number"),
        ("flag=maybe", "expected true or false"),
        ("mode=c", "expected one of a, b"),
        ("layers=1,x", "expected a comma-separated list"),
    ],
)
def test_wrong_value_type_is_one_clear_error(pair, fragment):
    with pytest.raises(ConfigError, match=fragment):
        config_lib.build_config(_Example, config_lib.parse_set_arguments([pair]))


def test_wrong_key_lists_the_valid_keys():
    with pytest.raises(ConfigError) as error:
        config_lib.build_config(_Example, {"unit": 3})
    message = str(error.value)
    assert "'unit'" in message
    for field in dataclasses.fields(_Example):
        assert field.name in message


def test_malformed_set_argument():
    with pytest.raises(ConfigError, match="key=value"):
        config_lib.parse_set_arguments(["units"])


def test_config_files_yaml_and_json(tmp_path):
    (tmp_path / "c.yaml").write_text("units: 7\nlayers: [3, 4]\n")
    (tmp_path / "c.json").write_text(json.dumps({"config": {"rate": 0.25}}))
    assert config_lib.build_config(_Example, config_lib.load_config_file(tmp_path / "c.yaml")) == (
        _Example(units=7, layers=(3, 4))
    )
    assert config_lib.load_config_file(tmp_path / "c.json") == {"rate": 0.25}
    (tmp_path / "bad.yaml").write_text("units: [unclosed\n")
    with pytest.raises(ConfigError, match="cannot parse config file"):
        config_lib.load_config_file(tmp_path / "bad.yaml")
    with pytest.raises(ConfigError, match="does not exist"):
        config_lib.load_config_file(tmp_path / "missing.yaml")
