"""Train the char-RNN on a UTF-8 text file and write its checkpoint folder.

    python -m explorer train charrnn --data ../shared/data/shakespeare.txt --units 512 --epochs 30

The last 5% of the text is held out (a contiguous tail, so no held-out sentence was seen in
training). An "epoch" here is a fixed number of batches, so that held-out loss, resume points and
the best checkpoint come every few minutes rather than once per pass over 4.9 M characters.
Resumable like the other models: run the same command again. Imports TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import numpy as np

from explorer.checkpoint import new_manifest, read_checkpoint, write_manifest
from explorer.config import CharRNNConfig, TrainConfig, to_dict
from explorer.maths.sampling import Vocabulary, shifted_pairs
from explorer.training.data import DataError

HOLDOUT_FRACTION = 0.05  # the tail of the text kept out of training
STEPS_PER_EPOCH = 300  # batches between held-out checks (300 × 64 × 100 ≈ 1.9 M characters)


def read_text(path: Path | str) -> tuple[str, dict]:
    """The file's text and where it came from; a sentence when it cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No text file at {path}: give a UTF-8 .txt file.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path.name} is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8 and try again."
        ) from None
    if len(text) < 1000:
        raise DataError(f"{path.name} has {len(text)} characters; a char-RNN needs thousands to learn from.")
    return text, {
        "source": str(path),
        "file": path.name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "characters": len(text),
    }


def split_text(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cut = int(len(ids) * (1 - HOLDOUT_FRACTION))
    return ids[:cut], ids[cut:]


def sequence_pairs(ids: np.ndarray, seq_len: int, batch_size: int, seed: int | None, repeat: bool):
    """(input, target) batches: sequences of seq_len characters and the same shifted by one."""
    import tensorflow as tf

    inputs, targets = shifted_pairs(ids, seq_len)
    count = len(inputs)
    data = tf.data.Dataset.from_tensor_slices((inputs, targets))
    if seed is not None:
        data = data.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    return data.batch(batch_size, drop_remainder=repeat).prefetch(2)


def train_charrnn(
    text: str, origin: dict, config: CharRNNConfig, train: TrainConfig, out: Path, name: str | None = None
) -> dict:
    import keras

    from explorer.models.charrnn import build_charrnn
    from explorer.training.vae import fit_resumable

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    vocabulary = Vocabulary.from_text(text)
    config.vocab_size = len(vocabulary)
    keras.utils.set_random_seed(train.seed)
    train_ids, heldout_ids = split_text(vocabulary.encode(text))
    if len(heldout_ids) < config.seq_len + 1:
        raise DataError(
            f"The text is too short to hold out {HOLDOUT_FRACTION:.0%} as sequences of "
            f"{config.seq_len} characters; use --seq-len below {len(heldout_ids) - 1}."
        )
    train_data = sequence_pairs(train_ids, config.seq_len, train.batch_size, train.seed, repeat=True)
    heldout_data = sequence_pairs(heldout_ids, config.seq_len, 256, None, repeat=False)
    steps = min(STEPS_PER_EPOCH, max(1, len(train_ids) // (config.seq_len * train.batch_size)))

    model = build_charrnn(config)
    model.compile(
        optimizer=keras.optimizers.Adam(train.learning_rate, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        steps_per_execution=10,
    )  # no XLA: the GRU trains twice as fast without it here
    settings = {
        "model": to_dict(config),
        "data": origin,
        "vocabulary": vocabulary.chars,
        "train": {k: v for k, v in to_dict(train).items() if k != "epochs"},
    }
    state = fit_resumable(model, train_data, heldout_data, train, out, settings, steps_per_epoch=steps)

    model.save_weights(out / "model.weights.h5")
    files = {
        "step": export_step(model, config, out),
        "weights": "model.weights.h5",
        "embedding": write_char_embedding(model, vocabulary, text, out),
    }
    heldout_nats = float(model.evaluate(heldout_data, verbose=0))
    manifest = new_manifest(
        name or out.name,
        f"char-RNN, GRU {config.units} ({Path(origin['source']).stem})",
        config,
        train,
        state,
        data={**origin, "split": f"the last {HOLDOUT_FRACTION:.0%} ({len(heldout_ids):,} characters) held out"},
        files=files,
        training={
            "steps_per_epoch": steps,
            "train_characters": len(train_ids),
            "optimizer": "Adam, gradient norm clipped at 1",
        },
        vocabulary=vocabulary.chars,
        embedding={
            "points": len(vocabulary),
            "dims": config.embedding_dim,
            "description": f"The {len(vocabulary)} characters' learnt input vectors.",
        },
    )
    write_manifest(out, manifest)
    manifest["metrics"] = _heldout_metrics(out, heldout_nats, heldout_ids)
    write_manifest(out, manifest)
    from explorer.training.embed import write_projections

    write_projections(out)  # the Projector then opens the characters at once in UMAP and t-SNE too
    manifest = read_checkpoint(out).manifest
    from explorer.training.vae import ResumeState

    ResumeState(out).clear()
    print(json.dumps(manifest["metrics"]))
    return manifest


def _heldout_metrics(out: Path, heldout_nats: float, heldout_ids: np.ndarray) -> dict:
    """Keras' held-out loss, and the served step's over the first 20,000 held-out characters (state carried)."""
    from explorer.serving.models import CharModel
    from explorer.serving.text_generation import heldout_loss

    served = heldout_loss(CharModel.from_folder(out), heldout_ids[:20_001])
    return {
        "heldout_nats_per_char": heldout_nats,
        "heldout_bits_per_char": heldout_nats / np.log(2),
        "heldout_characters": len(heldout_ids),
        "measured_with": "Keras, all held-out sequences",
        "served_check": {**served, "measured_with": "LiteRT step loop, first 20,000 held-out characters"},
    }


def export_step(model, config: CharRNNConfig, out: Path) -> str:
    import tensorflow as tf

    from explorer.models.charrnn import step_function
    from explorer.training.export import export_function

    export_function(
        step_function(model),
        tf.TensorSpec([None, 1 + config.units], tf.float32, name="id_and_state"),
        out / "step.tflite",
        half=True,
    )
    return "step.tflite"


def char_kind(char: str) -> str:
    if char == " ":
        return "space"
    if char in "\n\r\t":
        return "line break" if char in "\n\r" else "tab"
    category = unicodedata.category(char)
    return {"Lu": "upper case", "Ll": "lower case", "Nd": "digit"}.get(category, "punctuation")


def shown_char(char: str) -> str:
    """A character as a label: whitespace made visible."""
    return {" ": "␣ (space)", "\n": "⏎ (new line)", "\t": "⇥ (tab)", "\r": "␍ (return)"}.get(char, char)


def write_char_embedding(model, vocabulary: Vocabulary, text: str, out: Path) -> str:
    """Each character's learnt embedding, for the Projector, with its kind and frequency."""
    from collections import Counter

    from explorer.projector.embedding import Embedding, save_embedding

    counts = Counter(text)
    vectors = np.asarray(model.get_layer("embedding").embeddings)
    metadata = {
        "char": np.array([shown_char(c) for c in vocabulary.chars]),
        "kind": np.array([char_kind(c) for c in vocabulary.chars]),
        "count": np.array([str(counts[c]) for c in vocabulary.chars]),
    }
    return save_embedding(out, Embedding(out.name, vectors, metadata))
