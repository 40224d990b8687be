"""The char-RNN: vocabulary, sampling maths, state carried between steps, Keras -> LiteRT parity."""

import json

import numpy as np
import pytest

from explorer.checkpoint import read_checkpoint
from explorer.projector.projection import projection_key
from tests.support.checkpoints import QUICK_TSNE, needs_tensorflow, quick_projections
from tests.support.cli import run_cli, write_recipe
from tests.support.data import small_text


def test_state_is_carried_between_steps(tiny_charrnn):
    from explorer.serving.models import CharModel
    from explorer.serving.text_generation import generate

    model = CharModel.from_folder(tiny_charrnn)
    whole_logits, whole_state = model.read("the king shall")
    half_logits, half_state = model.read("the ki")
    half_logits, half_state = model.read("ng shall", half_state)
    np.testing.assert_allclose(half_logits, whole_logits, atol=1e-5)
    np.testing.assert_allclose(half_state, whole_state, atol=1e-5)
    assert not np.allclose(model.read("l")[0], whole_logits, atol=1e-3), "the state carries the history"
    at_once = "".join(s.char for s in generate(model, "ROMEO", 40, temperature=0))
    first = "".join(s.char for s in generate(model, "ROMEO", 20, temperature=0))
    second = "".join(s.char for s in generate(model, "ROMEO" + first, 20, temperature=0))
    assert first + second == at_once


def test_litert_step_matches_keras_to_a_thousandth(tiny_charrnn):
    """The step file stores float16 weights (the page downloads it): logits within 1e-3 of Keras's."""
    import keras

    from explorer.models.charrnn import build_charrnn
    from explorer.serving.models import CharModel

    served = CharModel.from_folder(tiny_charrnn)
    model = build_charrnn(served.checkpoint.config)
    model.load_weights(tiny_charrnn / "model.weights.h5")
    ids = served.vocabulary.encode("JULIET : what light")
    keras_logits = keras.ops.convert_to_numpy(model(ids[None]))[0, -1]
    np.testing.assert_allclose(served.read("JULIET : what light")[0], keras_logits, atol=1e-3)


def test_checkpoint_describes_itself_and_ships_character_embeddings(tiny_charrnn):
    from explorer.projector.embedding import load_embedding

    manifest = json.loads((tiny_charrnn / "manifest.json").read_text())
    assert manifest["vocabulary"] == "".join(sorted(set(small_text())))
    assert manifest["metrics"]["heldout_bits_per_char"] == pytest.approx(
        manifest["metrics"]["heldout_nats_per_char"] / np.log(2)
    )
    embedding = load_embedding(tiny_charrnn, "tiny")
    assert embedding.vectors.shape == (len(manifest["vocabulary"]), 8)
    assert "⏎ (new line)" in embedding.metadata["char"] and "upper case" in embedding.metadata["kind"]
    # and their default projections, so the Projector opens them at once (a first UMAP compiles for half a minute)
    projections = np.load(tiny_charrnn / manifest["files"]["projections"])
    assert projections[projection_key(QUICK_TSNE)].shape == (len(manifest["vocabulary"]), 2)
    assert projection_key(QUICK_TSNE) in manifest["embedding"]["default_projection_seconds"]


@pytest.mark.train
@needs_tensorflow
def test_cli_trains_and_evaluates_a_charrnn_and_explains_bad_text(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text(small_text(6000), encoding="utf-8")
    out = tmp_path / "cli-charrnn"
    with quick_projections():
        recipe = write_recipe(
            tmp_path / "rnn.toml",
            kind="charrnn",
            data=text,
            out=out,
            units=8,
            seq_len=10,
            dropout=0.2,
            epochs=3,
            decay_from=1,
        )
        result = run_cli("train", "--recipe", recipe)
        assert result.returncode == 0, result.stderr[-2000:]
        trained = read_checkpoint(out)
        assert (trained.config.units, trained.config.dropout) == (8, 0.2)
        assert [epoch["learning_rate"] for epoch in trained.manifest["training"]["history"]] == [2e-3, 2e-3, 1e-3]
        (out / "projections.npz").unlink()
        result = run_cli("embed", out)  # the embedding is there: its projections are made again, no --data needed
    assert result.returncode == 0 and "default projections of" in result.stdout, result.stderr[-2000:]
    assert projection_key(QUICK_TSNE) in np.load(out / "projections.npz")
    result = run_cli("evaluate", out, "--data", text)
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics["text"] == "the held-out tail of the training text" and metrics["bits_per_char"] > 0
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café ".encode("latin-1") * 400)
    result = run_cli("train", "charrnn", "--data", latin1, "--out", tmp_path / "x")
    assert result.returncode == 2 and "is not UTF-8 text" in result.stderr and "Traceback" not in result.stderr
    short = tmp_path / "short.txt"
    short.write_text("to be or not", encoding="utf-8")
    result = run_cli("train", "charrnn", "--data", short, "--out", tmp_path / "y")
    assert result.returncode == 2 and "needs thousands" in result.stderr


def test_each_targets_probability_is_what_the_model_says_after_its_prefix(tiny_charrnn):
    from explorer.maths.sampling import softmax
    from explorer.serving.models import CharModel
    from explorer.serving.text_generation import heldout_loss, next_char_log_probabilities

    model = CharModel.from_folder(tiny_charrnn)
    text = "ROMEO: what"
    ids = model.vocabulary.encode(text)
    scores = next_char_log_probabilities(model, ids)
    assert scores.shape == (len(text) - 1,) and (scores < 0).all()
    after_five = softmax(model.read(text[:5])[0])[ids[5]]
    assert np.exp(scores[4]) == pytest.approx(after_five, rel=1e-4)
    assert heldout_loss(model, ids)["nats_per_char"] == pytest.approx(-scores.mean())
