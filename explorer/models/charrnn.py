"""Character-level GRU language model (Keras 3): embedding -> GRU -> dense over the characters.

Trained on (sequence, sequence shifted by one) pairs, as in TensorFlow's text-generation
tutorial; served as a one-step function, (character, state) -> (next-character logits, state),
with the loop owned by the caller. For LiteRT the step takes and returns one tensor each:
[character id, state...] in, [logits..., new state...] out, so the app's one-input runtime
serves it unchanged. Imports TensorFlow; used by training and export, never by the app.
"""

from __future__ import annotations

import keras
from keras import layers

from explorer.config import CharRNNConfig


def build_charrnn(config: CharRNNConfig) -> keras.Model:
    """(B, T) character ids -> (B, T, V) next-character logits."""
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = layers.Embedding(config.vocab_size, config.embedding_dim, name="embedding")(ids)  # (B, T, E)
    if config.dropout:  # Zaremba et al.'s non-recurrent dropout; the served step has none
        x = layers.Dropout(config.dropout, name="dropout_in")(x)
    x = layers.GRU(config.units, return_sequences=True, name="gru")(x)  # (B, T, U)
    if config.dropout:
        x = layers.Dropout(config.dropout, name="dropout_out")(x)
    logits = layers.Dense(config.vocab_size, name="logits")(x)  # (B, T, V)
    return keras.Model(ids, logits, name="charrnn")


def step_function(model: keras.Model):
    """packed (B, 1 + U) = [id, state] -> (B, V + U) = [logits, new state], sharing the model's weights."""
    import tensorflow as tf

    embedding, cell, dense = model.get_layer("embedding"), model.get_layer("gru").cell, model.get_layer("logits")

    def step(packed):
        ids = tf.cast(tf.round(packed[:, 0]), tf.int32)  # (B,)
        state = packed[:, 1:]  # (B, U)
        output, new_state = cell(embedding(ids), [state], training=False)
        new_state = new_state[0] if isinstance(new_state, (list, tuple)) else new_state
        return tf.concat([dense(output), new_state], axis=-1)

    return step
