import numpy as np
import pytest

from explorer.checkpoint import CheckpointError
from explorer.serving.models import ImageAutoencoder


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
