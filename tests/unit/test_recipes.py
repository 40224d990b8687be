"""Every shipped checkpoint has a recipe file (recipes/NAME.toml) that says how it was trained, and
`train --recipe` reads one into the same options as the command line."""

import json
import tomllib
from pathlib import Path

import pytest

from explorer.cli.train import OPTIONS, expand_recipe, read_recipe
from explorer.config import model_config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(folder.name for folder in (ROOT / "checkpoints").iterdir() if (folder / "manifest.json").is_file())

# How each recipe setting reads in a manifest: setting -> (the manifest, the config it describes) -> value.
CONFIG = ["latent_dim", "filters", "activation", "likelihood", "generator_filters", "discriminator_filters"]
CONFIG += ["discriminator_convs", "upsampling", "batch_norm", "augment", "mode_seeking", "image_match"]
CONFIG += ["class_picture", "default_class", "units", "seq_len", "dropout"]
TRAINING = ["epochs", "decay_from", "holdout", "shift"]


def _in_config(setting):
    return lambda manifest, config: getattr(config, setting)


def _in_training(setting):
    return lambda manifest, config: manifest["training"].get(setting) or 0


RECORDED = {setting: _in_config(setting) for setting in CONFIG} | {
    setting: _in_training(setting) for setting in TRAINING
}
RECORDED |= {
    "r1": lambda manifest, config: config.r1_gamma,
    "class_table": lambda manifest, config: config.class_grid,
    "image_size": lambda manifest, config: config.image_shape[0],
    "conditional": lambda manifest, config: config.classes > 0,
    "labels": lambda manifest, config: manifest["data"].get("labels"),
    "data": lambda manifest, config: "../shared/data/" + manifest["data"]["file"],
    "features": lambda manifest, config: "checkpoints/" + manifest["metrics"]["feature_network"].split(":")[0],
    "keep": lambda manifest, config: {"last epoch": "last"}.get(manifest["training"]["selected_by"], "best-fid"),
    "embed": lambda manifest, config: "embedding" in manifest["files"],
}
# Recipe settings a shipped manifest may record differently, each with its reason (none today).
RUN_LONGER_THAN_ITS_RECIPE: set = set()


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_checkpoint_has_a_recipe_that_says_how_it_was_trained(name):
    path = ROOT / "recipes" / f"{name}.toml"
    assert path.is_file(), f"{name} has no recipe file"
    settings = tomllib.loads(path.read_text())
    manifest = json.loads((ROOT / "checkpoints" / name / "manifest.json").read_text())
    assert settings.pop("kind") == manifest["kind"]
    assert settings.pop("out") == f"checkpoints/{name}"
    config = model_config(manifest["kind"], manifest["config"])
    for setting, value in settings.items():
        if (name, setting) not in RUN_LONGER_THAN_ITS_RECIPE:
            value = tuple(value) if isinstance(value, list) else value
            assert RECORDED[setting](manifest, config) == value, f"{name}: the recipe's {setting} is {value!r}"
    assert manifest["recipe"] == {"file": f"recipes/{name}.toml", "text": path.read_text()}


def test_every_option_is_used_by_a_recipe_and_recorded_in_the_manifest():
    used = set()
    for path in (ROOT / "recipes").glob("*.toml"):
        used |= set(tomllib.loads(path.read_text())) - {"kind"}
    assert set(OPTIONS) - used == set(), "an option no recipe uses"
    assert set(OPTIONS) - {"out"} <= set(RECORDED)  # out: the checkpoint's own folder


def test_a_recipe_becomes_the_options_of_its_kind_and_the_command_line_adds_to_them(tmp_path):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text('kind = "gan"\ndata = "x.npz"\nfilters_unused = 1\n')
    with pytest.raises(ValueError, match="a gan recipe has no setting 'filters_unused'; it takes data, out"):
        read_recipe(recipe)
    recipe.write_text(
        'kind = "gan"\ndata = "x.npz"\ngenerator_filters = [8, 4]\nbatch_norm = false\nconditional = true\n'
    )
    argv, read = expand_recipe(["train", "--recipe", str(recipe), "--epochs", "2"])
    assert argv == [
        "train", "gan", "--data", "x.npz", "--generator-filters", "8,4", "--no-batch-norm", "--conditional", "--epochs", "2"
    ]  # fmt: skip
    assert read.kind == "gan" and read.text == recipe.read_text() and read.overrides == ("--epochs", "2")
    with pytest.raises(ValueError, match="trains a gan, not a vae"):
        expand_recipe(["train", "vae", "--recipe", str(recipe)])


@pytest.mark.parametrize(
    "text, sentence",
    [
        ('kind = "vea"\n', "must say kind = one of vae, ae, gan, classifier, charrnn, not 'vea'"),
        ("kind = \n", "is not a TOML recipe"),
        ('kind = "vae"\nembed = "yes"\n', "embed is true or false, not 'yes'"),
        ('kind = "vae"\nlatent_dim = {a = 1}\n', "latent_dim takes a value like the option --latent-dim"),
    ],
)
def test_a_broken_recipe_gets_a_sentence(tmp_path, text, sentence):
    recipe = tmp_path / "broken.toml"
    recipe.write_text(text)
    with pytest.raises(ValueError, match=sentence):
        read_recipe(recipe)
    with pytest.raises(ValueError, match="No recipe at"):
        read_recipe(tmp_path / "missing.toml")
