"""Training on tiny data, the checkpoint round trip, Keras -> LiteRT parity and the command line."""

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest

from explorer.checkpoint import read_checkpoint
from explorer.serving.models import ImageAutoencoder
from explorer.serving.runtime import LiteModel
from tests.support.checkpoints import needs_tensorflow
from tests.support.cli import run_cli, run_cli_process, write_recipe
from tests.support.data import small_digits

pytestmark = needs_tensorflow


def test_checkpoint_describes_itself(tiny_vae):
    manifest = read_checkpoint(tiny_vae).manifest
    assert manifest["kind"] == "vae"
    assert manifest["config"]["latent_dim"] == 3 and manifest["config"]["image_shape"] == [8, 8, 1]
    assert manifest["data"]["holdout_images"] == 100 and len(manifest["data"]["sha256"]) == 64
    assert manifest["training"]["seed"] == 0 and manifest["training"]["epochs_run"] == 2
    assert {"neg_elbo", "reconstruction", "kl"} <= set(manifest["metrics"]["heldout"])
    assert "keras" in manifest["versions"] and manifest["created"]
    assert not (tiny_vae / ".resume").exists()


def test_served_model_round_trip_shapes(tiny_vae):
    model = ImageAutoencoder.from_folder(tiny_vae)
    assert model.decode_latents(np.zeros((5, 3))).shape == (5, 8, 8, 1)
    encoding = model.encode_images(model.examples["x"][:4])
    assert encoding.mu.shape == (4, 3) and (encoding.sigma > 0).all()
    np.testing.assert_allclose(encoding.mu, model.examples["mu"][:4], atol=2e-3)  # float16 weights: see below


def test_litert_matches_keras_to_a_thousandth(tiny_vae):
    import keras

    from explorer.models.loading import load_keras_model

    keras_model = load_keras_model(read_checkpoint(tiny_vae))
    served = ImageAutoencoder.from_folder(tiny_vae)
    z = np.random.default_rng(0).standard_normal((7, 3)).astype("float32") * 2
    expected = keras.ops.convert_to_numpy(keras.ops.sigmoid(keras_model.decoder(z)))
    np.testing.assert_allclose(served.decoder(z), expected, atol=1e-3)  # float16 weights: see below
    x = small_digits(7)[0].astype("float32") / 255
    mean, log_var = (keras.ops.convert_to_numpy(t) for t in keras_model.encoder(x))
    np.testing.assert_allclose(served.encoder(x), np.concatenate([mean, log_var], 1), atol=2e-3)
    # Written for the page too: LiteRT.js refuses a declared batch of −1 (the seven rows above ran anyway).
    from ai_edge_litert.interpreter import Interpreter

    decoder = Interpreter(model_path=str(tiny_vae / "decoder.tflite"))
    assert decoder.get_input_details()[0]["shape_signature"][0] == 1
    # Both store their weights as float16 (half the bytes: the page downloads the decoder, git keeps both).
    assert any(t["dtype"] == np.float16 for t in decoder.get_tensor_details())
    assert any(t["dtype"] == np.float16 for t in Interpreter(str(tiny_vae / "encoder.tflite")).get_tensor_details())


def test_float16_weights_halve_a_file_and_keep_its_outputs_within_a_thousandth():
    import tensorflow as tf

    from explorer.training.export import export_function

    rng = np.random.default_rng(0)
    kernel = tf.constant(rng.normal(0, 0.05, (3, 3, 1, 64)).astype("float32"))
    dense = tf.constant(rng.normal(0, 0.05, (64 * 8 * 8, 10)).astype("float32"))
    table = tf.constant(rng.normal(0, 1, (50, 4)).astype("float32"))

    def network(x):
        h = tf.nn.relu(tf.nn.conv2d(x, kernel, 1, "SAME"))
        scores = tf.matmul(tf.reshape(h, [-1, 64 * 8 * 8]), dense)
        return tf.concat([scores, tf.gather(table, tf.cast(x[:, 0, 0, 0] * 49, tf.int32))], axis=1)

    spec = tf.TensorSpec([None, 8, 8, 1], tf.float32)
    folder = Path(tempfile.mkdtemp())
    full = export_function(network, spec, folder / "full.tflite")
    half = export_function(network, spec, folder / "half.tflite", half=True)
    assert half < 0.55 * full
    x = rng.uniform(0, 1, (4, 8, 8, 1)).astype("float32")
    a, b = (LiteModel(folder / name)(x) for name in ("full.tflite", "half.tflite"))
    assert 0 < np.abs(a - b).max() < 1e-3
    # Each unpacked tensor has an empty buffer of its own, as TensorFlow's float16 files have: with the
    # shared empty buffer 0, LiteRT.js unpacked the weights at every call (a GAN decode 3× slower).
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(folder / "half.tflite"))
    graph = model.subgraphs[0]
    unpacked = [
        graph.tensors[op.outputs[0]].buffer
        for op in graph.operators
        if flatbuffer_utils.opcode_to_name(model, op.opcodeIndex) == "DEQUANTIZE"
    ]
    assert len(unpacked) >= 3 and 0 not in unpacked and len(set(unpacked)) == len(unpacked)
    assert all(not model.buffers[b].data for b in unpacked)


def test_the_gaussian_likelihood_is_the_same_in_training_and_in_evaluation():
    """Colour VAEs train on N(decode, σ²) with σ² the batch's mean squared error; `evaluate` scores
    the served model with the same formula, σ² the held-out mean squared error."""
    from keras import ops

    from explorer.maths.metrics import gaussian_nll as served_nll
    from explorer.models.vae import gaussian_nll as training_nll

    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (6, 4, 4, 3)).astype("float32")
    logits = rng.normal(0, 2, (6, 4, 4, 3)).astype("float32")
    means = 1 / (1 + np.exp(-logits))
    variance = float(np.mean(np.square(images - means)))
    trained = ops.convert_to_numpy(training_nll(images, logits))
    np.testing.assert_allclose(trained, served_nll(images, means, variance), rtol=1e-4)
    # the better the decode, the lower the loss, by far more than a Bernoulli's fixed weight allows
    closer = np.log(np.clip(images, 0.01, 0.99) / (1 - np.clip(images, 0.01, 0.99)))
    assert ops.convert_to_numpy(training_nll(images, closer)).mean() < trained.mean() - 50


def test_a_colour_vae_trains_with_a_gaussian_likelihood_and_reports_comparable_figures(tmp_path):
    from explorer.config import TrainConfig, VAEConfig
    from explorer.training.data import Dataset
    from explorer.training.vae import train_vae

    rng = np.random.default_rng(0)
    x = (rng.uniform(0, 1, (160, 8, 8, 3)) * 255).astype(np.uint8)
    x[:80, :, :, 0] = 255  # two kinds of picture: a red wash and noise
    data = Dataset(x=x, y=None, origin={"source": "tiny colour", "sha256": "0" * 64})
    config = VAEConfig(image_shape=(8, 8, 3), latent_dim=2, filters=(8,), hidden_units=16, likelihood="gaussian")
    manifest = train_vae(data, config, TrainConfig(epochs=2, holdout=40, batch_size=32), tmp_path / "colour")
    heldout = manifest["metrics"]["heldout"]
    assert manifest["config"]["likelihood"] == "gaussian" and heldout["likelihood"] == "gaussian"
    assert heldout["mse_of_mean_decode"] > 0 and 0 < heldout["psnr_db"] < 60


def test_training_resumes_after_the_last_finished_epoch(tmp_path, digits_npz, monkeypatch, capsys):
    from explorer.config import TrainConfig, VAEConfig
    from explorer.training.data import load_dataset
    from explorer.training.vae import ResumeState, train_vae

    config = VAEConfig(kind="ae", image_shape=(8, 8, 1), latent_dim=2, filters=(8,), hidden_units=16)
    data = load_dataset(str(digits_npz))
    out = tmp_path / "ae"
    with monkeypatch.context() as patch:  # a run stopped after epoch 1 leaves its resume state
        patch.setattr(ResumeState, "clear", lambda self: None)
        first = train_vae(data, config, TrainConfig(epochs=1, holdout=100), out)
    assert first["training"]["epochs_run"] == 1 and "reconstruction" in first["metrics"]["heldout"]
    assert ResumeState(out).state_file.is_file()
    capsys.readouterr()
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # the optimizer's moments must load too
        warnings.simplefilter("always")
        # extended, with the rate decaying over the last two epochs, which a resumed run may add
        resumed = train_vae(data, config, TrainConfig(epochs=3, holdout=100, decay_from=1, patience=5), out)
    assert "Resuming after epoch 1" in capsys.readouterr().out
    assert "Skipping variable loading" not in str([w.message for w in caught])
    assert resumed["training"]["epochs_run"] == 3
    assert resumed["training"]["history"][0] == first["training"]["history"][0]
    assert [round(epoch["learning_rate"], 6) for epoch in resumed["training"]["history"]] == [1e-3, 1e-3, 5e-4]
    assert not ResumeState(out).folder.exists()


def test_cli_trains_a_recipe_and_evaluates(tmp_path, digits_npz):
    out = tmp_path / "cli-vae"
    recipe = write_recipe(
        tmp_path / "vae.toml",
        kind="vae",
        data=digits_npz,
        out=out,
        latent_dim=2,
        filters=[8, 16],
        epochs=1,
        holdout=100,
    )
    result = run_cli("train", "--recipe", recipe)
    assert result.returncode == 0, result.stderr
    assert (out / "decoder.tflite").is_file()
    checkpoint = read_checkpoint(out)
    assert checkpoint.config.filters == (8, 16) and checkpoint.manifest["training"]["holdout"] == 100
    assert checkpoint.manifest["recipe"]["text"] == recipe.read_text()
    result = run_cli("evaluate", out, "--data", digits_npz)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics["images"] == 600
    assert metrics["neg_elbo"] == pytest.approx(metrics["reconstruction"] + metrics["kl"])


def test_cli_explains_bad_data(tmp_path):
    result = run_cli_process("train", "vae", "--data", tmp_path / "nothing.npz")  # the real command, once
    assert result.returncode == 2 and "Cannot read training data" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "empty").mkdir()
    result = run_cli("train", "vae", "--data", tmp_path / "empty")
    assert result.returncode == 2 and "no readable images" in result.stderr
    result = run_cli("evaluate", tmp_path, "--data", "mnist")
    assert result.returncode == 2 and "manifest.json is missing" in result.stderr


def test_export_rewrites_the_files_from_the_weights_and_records_their_precision(tiny_vae, tmp_path):
    import shutil

    folder = tmp_path / "vae"
    shutil.copytree(tiny_vae, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["stored_as"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    z = np.random.default_rng(1).standard_normal((3, manifest["config"]["latent_dim"])).astype("float32")
    before = ImageAutoencoder.from_folder(folder).decode_latents(z)
    (folder / "decoder.tflite").unlink()
    assert run_cli("export", folder).returncode == 0
    rewritten = read_checkpoint(folder)
    half = "float16 weights, float32 arithmetic"
    assert rewritten.manifest["stored_as"] == {"encoder": half, "decoder": half}
    assert rewritten.manifest["created"] == manifest["created"], "the training date stays"
    np.testing.assert_array_equal(ImageAutoencoder.from_folder(folder).decode_latents(z), before)


def test_shift_moves_the_digit_by_at_most_the_pixels_asked_and_keeps_its_ink():
    from explorer.training.vae import shifted

    image = np.zeros((28, 28, 1), np.float32)
    image[12:16, 13:15] = 1.0  # a small stroke in the middle, as MNIST keeps a margin
    places = set()
    for seed in range(40):
        moved = shifted(image, by=2, seed=seed).numpy()
        assert moved.shape == image.shape and moved.sum() == image.sum()
        rows, columns = np.nonzero(moved[..., 0])
        places.add((rows.min() - 12, columns.min() - 13))
    assert all(abs(dy) <= 2 and abs(dx) <= 2 for dy, dx in places) and len(places) > 5


def test_an_autoencoder_recipe_trains_and_its_shift_is_recorded(tmp_path, digits_npz):
    out = tmp_path / "shifted"
    recipe = write_recipe(tmp_path / "ae.toml", kind="ae", data=digits_npz, out=out, shift=1, activation="relu")
    assert run_cli("train", "--recipe", recipe, "--epochs", 1, "--holdout", 50).returncode == 0
    checkpoint = read_checkpoint(out)
    assert checkpoint.manifest["training"]["shift"] == 1 and checkpoint.manifest["training"]["epochs"] == 1
    assert checkpoint.kind == "ae" and checkpoint.config.activation == "relu"
    # What the command line changed is kept beside the recipe: the recipe alone would not say 1 epoch.
    assert checkpoint.manifest["recipe"]["overrides"] == ["--epochs", "1", "--holdout", "50"]
