import json

import numpy as np
import pytest

from explorer.checkpoint import CheckpointError, list_checkpoints, read_checkpoint


def write(folder, manifest):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    return folder


GOOD = {
    "kind": "vae",
    "config": {"latent_dim": 2, "image_shape": [8, 8, 1]},
    "files": {"encoder": "encoder.tflite", "decoder": "decoder.tflite", "examples": "examples.npz"},
}


def test_listing_separates_usable_from_broken_checkpoints(tmp_path):
    write(tmp_path / "a-vae", GOOD)
    write(tmp_path / "b-ae", {**GOOD, "kind": "ae"})
    write(tmp_path / "c-bad", "{not json")
    (tmp_path / "d-empty").mkdir()
    found, broken = list_checkpoints(("vae",), root=tmp_path)
    assert [c.name for c in found] == ["a-vae"]
    assert [folder.name for folder, _ in broken] == ["c-bad", "d-empty"]
    assert "not valid JSON" in broken[0][1] and "manifest.json is missing" in broken[1][1]
    assert all("python -m explorer train" in error for _, error in broken)


@pytest.mark.parametrize(
    "manifest, message",
    [
        ("[1, 2]", "lacks an object"),
        ('{"kind": "vae"}', "lacks config, files"),
        ("\udcff", "not valid JSON"),
        ('{"kind": "diffusion", "config": {}, "files": {}}', "kind 'diffusion', which this app does not know"),
        ('{"kind": "vae", "config": {"filters": [8, 8, 8, 8, 8]}, "files": {}}', "config this app cannot use"),
        ('{"kind": "gan", "config": {"upsampling": "bicubic"}, "files": {}}', "config this app cannot use"),
    ],
)
def test_malformed_manifests_name_the_file(tmp_path, manifest, message):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(manifest.encode("utf-8", "surrogateescape"))
    with pytest.raises(CheckpointError, match=message) as error:
        read_checkpoint(folder)
    assert "manifest.json" in str(error.value)


def test_a_checkpoint_reads_typed():
    """Its config is the kind's dataclass (a newer manifest's extra keys ignored), its data a
    DataDescription; metrics and sections default to empty."""
    from explorer.checkpoint import SHIPPED_CHECKPOINTS
    from explorer.config import CharRNNConfig, GANConfig, VAEConfig

    vae = read_checkpoint(SHIPPED_CHECKPOINTS / "mnist-vae-16d")
    assert isinstance(vae.config, VAEConfig) and vae.config.latent_dim == 16 and vae.config.image_shape == (28, 28, 1)
    assert vae.data.file == "mnist-9000.npz" and vae.data.holdout_images == 1000 and vae.data.preprocess == "mnist"
    emoji = read_checkpoint(SHIPPED_CHECKPOINTS / "emoji-vae-16d").data
    assert emoji.preprocess == "rgb" and emoji.label_names[1] == "Animals & Nature"
    assert vae.metrics["heldout"]["neg_elbo"] > 0
    gan = read_checkpoint(SHIPPED_CHECKPOINTS / "mnist-cgan")
    assert isinstance(gan.config, GANConfig) and gan.config.classes == 10 and gan.config.input_dim == 74
    assert isinstance(read_checkpoint(SHIPPED_CHECKPOINTS / "shakespeare-charrnn").config, CharRNNConfig)
    assert read_checkpoint(SHIPPED_CHECKPOINTS / "mnist-gan").section("no-such-part") == {}


def test_newer_manifests_keep_reading(tmp_path):
    folder = write(tmp_path / "newer", {**GOOD, "config": {**GOOD["config"], "added_later": 1}, "data": {"x": 1}})
    checkpoint = read_checkpoint(folder)
    assert checkpoint.config.latent_dim == 2 and checkpoint.data.source == "" and checkpoint.metrics == {}


def test_every_training_path_writes_its_manifest_alike():
    """One writer (new_manifest): the same sections, training facts and file precision for every kind."""
    from explorer.checkpoint import new_manifest
    from explorer.config import CharRNNConfig, GANConfig, training_config

    state = {"epoch": 3, "best_epoch": 2, "seconds": 12.34, "history": [{"loss": 1.0}] * 3}
    gan = new_manifest(
        "g", "A GAN", GANConfig(), training_config("gan"), state, {"file": "d.npz"},
        {"generator": "generator.tflite", "neighbours": "neighbours.npz"}, training={"selected_by": "last epoch"},
    )  # fmt: skip
    assert gan["kind"] == "gan" and gan["config"]["latent_dim"] == 64
    assert gan["training"]["epochs"] == 100 and gan["training"]["learning_rate"] == 2e-4
    assert gan["training"]["epochs_run"] == 3 and gan["training"]["train_seconds"] == 12.3
    assert gan["training"]["selected_by"] == "last epoch" and len(gan["training"]["history"]) == 3
    assert gan["stored_as"] == {"generator": "float16 weights, float32 arithmetic"}
    text = new_manifest(
        "t", "Text", CharRNNConfig(), training_config("charrnn"), state, {}, {"step": "step.tflite"}, vocabulary=["a"]
    )
    assert text["kind"] == "charrnn" and text["vocabulary"] == ["a"] and text["training"]["patience"] == 5
    assert set(gan) - {"neighbours"} == set(text) - {"vocabulary"}


@pytest.mark.parametrize(
    "kind, has, lacks",
    [
        ("vae", ["--shift", "--embed", "--decay-from"], ["--upsampling", "--units"]),
        ("ae", ["--activation", "--filters"], ["--embed", "--conditional"]),
        ("gan", ["--discriminator-convs", "--conditional", "--keep"], ["--filters", "--holdout", "--shift"]),
        ("classifier", ["--holdout", "--image-size"], ["--latent-dim", "--decay-from"]),
        ("charrnn", ["--units", "--seq-len"], ["--image-size", "--holdout"]),
    ],
)
def test_each_kind_lists_only_its_own_options_with_the_defaults_of_its_config(capsys, kind, has, lacks):
    from explorer.__main__ import main
    from explorer.config import TRAINING_DEFAULTS, GANConfig, training_config

    assert training_config("gan", epochs=None, batch_size=32).batch_size == 32
    with pytest.raises(SystemExit):
        main(["train", kind, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert all(option in shown for option in has) and not any(option + " " in shown for option in lacks)
    assert f"passes over the training data (default {TRAINING_DEFAULTS[kind].epochs})" in shown
    if kind == "gan":
        assert f"(default {GANConfig.upsampling})" in shown and "(default off)" in shown  # batch norm


def test_saved_arrays_read_back_as_any_npz_and_pack_images_on_white_smaller(tmp_path):
    """`save_arrays` (LZMA) is what the GAN's neighbours.npz is written with: np.load reads it unchanged,
    and dark strokes on white, as emoji are, take less room than with `np.savez_compressed`."""
    from sklearn.datasets import load_digits

    from explorer.checkpoint import save_arrays

    digits = load_digits()
    ink = (255 - digits.images * 16).clip(0, 255).astype(np.uint8)  # dark digits on white
    x = np.repeat(np.kron(ink, np.ones((4, 4), np.uint8))[..., None], 3, axis=-1)  # 32x32 colour
    y = digits.target.astype("int16")
    save_arrays(tmp_path / "lzma.npz", x=x, y=y)
    np.savez_compressed(tmp_path / "deflate.npz", x=x, y=y)
    with np.load(tmp_path / "lzma.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["x", "y"]
        np.testing.assert_array_equal(archive["x"], x)
        assert archive["y"].dtype == np.int16 and archive["y"].tolist() == y.tolist()
    assert (tmp_path / "lzma.npz").stat().st_size < 0.8 * (tmp_path / "deflate.npz").stat().st_size


def test_the_package_and_pyproject_name_one_version():
    import tomllib
    from pathlib import Path

    import explorer

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert explorer.__version__ == pyproject["project"]["version"]
