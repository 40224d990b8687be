import json

import numpy as np
import pytest

from explorer.checkpoint import CheckpointError, list_checkpoints, read_checkpoint
from explorer.serving.models import ImageAutoencoder


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
    ],
)
def test_malformed_manifests_name_the_file(tmp_path, manifest, message):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(manifest.encode("utf-8", "surrogateescape"))
    with pytest.raises(CheckpointError, match=message) as error:
        read_checkpoint(folder)
    assert "manifest.json" in str(error.value)


def test_missing_and_corrupt_model_files_are_named(tmp_path, tiny_vae):
    import shutil

    folder = shutil.copytree(tiny_vae, tmp_path / "copy")
    (folder / "decoder.tflite").unlink()
    with pytest.raises(CheckpointError, match="decoder.tflite is missing"):
        ImageAutoencoder.from_folder(folder)
    (folder / "decoder.tflite").write_bytes(b"\x00" * 64)
    with pytest.raises(CheckpointError, match="LiteRT cannot load"):
        ImageAutoencoder.from_folder(folder)
    (folder / "examples.npz").write_bytes(b"garbage")
    (folder / "decoder.tflite").write_bytes((tiny_vae / "decoder.tflite").read_bytes())
    with pytest.raises(CheckpointError, match="examples.npz is not a readable"):
        ImageAutoencoder.from_folder(folder)


def test_shared_model_is_safe_across_threads(tiny_vae):
    """Sessions call one LiteModel from many threads, with different batch sizes, at once."""
    from concurrent.futures import ThreadPoolExecutor

    model = ImageAutoencoder.from_folder(tiny_vae)
    batches = [np.random.default_rng(i).standard_normal((1 + i % 5, 3)).astype("float32") for i in range(200)]
    expected = [model.decode_latents(z) for z in batches]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(model.decode_latents, batches))
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)
