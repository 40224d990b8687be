"""Convolutional variational autoencoder and its plain-autoencoder sibling (Keras 3).

Shaped after the keras-io VAE recipe: a conv encoder that halves the resolution at every
layer, a dense bottleneck, and a mirrored conv-transpose decoder. Two changes make it beat that
recipe on the same digits: the bottleneck is wide (`hidden_units`, not 16), and the decoder emits
logits so that the Bernoulli likelihood is computed stably. Colour images use a Gaussian likelihood
(`VAEConfig.likelihood`); either way the served decoder draws sigmoid(logits).

Imports TensorFlow; used by training, export and evaluation, never by the app.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from explorer.config import VAEConfig


class Sampling(layers.Layer):
    """Draws z ~ N(mean, exp(log_var)) with the reparameterisation trick."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def build_encoder(config: VAEConfig) -> keras.Model:
    """Image in [0, 1] -> (z_mean, z_log_var) for a VAE, or z for a plain autoencoder."""
    images = keras.Input(shape=config.image_shape, name="image")
    x = images
    for filters in config.filters:
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation=config.activation)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(config.hidden_units, activation=config.activation)(x)
    z_mean = layers.Dense(config.latent_dim, name="z_mean")(x)
    if config.kind == "ae":
        return keras.Model(images, z_mean, name="encoder")
    z_log_var = layers.Dense(config.latent_dim, name="z_log_var")(x)
    return keras.Model(images, [z_mean, z_log_var], name="encoder")


def build_decoder(config: VAEConfig) -> keras.Model:
    """Latent vector -> pixel logits (apply a sigmoid for the image)."""
    height, width, channels = config.image_shape
    shrink = 2 ** len(config.filters)
    base_h, base_w = height // shrink, width // shrink
    latents = keras.Input(shape=(config.latent_dim,), name="z")
    x = layers.Dense(config.hidden_units, activation=config.activation)(latents)
    x = layers.Dense(base_h * base_w * config.filters[-1], activation=config.activation)(x)
    x = layers.Reshape((base_h, base_w, config.filters[-1]))(x)
    for filters in reversed(config.filters):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation=config.activation)(x)
    logits = layers.Conv2D(channels, 3, padding="same", name="logits")(x)
    return keras.Model(latents, logits, name="decoder")


def bernoulli_nll(images, logits):
    """-log p(x | z) in nats per image, with targets the grey levels x in [0, 1]."""
    per_pixel = ops.maximum(logits, 0) - logits * images + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.sum(ops.reshape(per_pixel, (ops.shape(images)[0], -1)), axis=1)


def gaussian_nll(images, logits):
    """-log p(x | z) in nats per image under N(sigmoid(logits), σ²) per pixel, with σ² the batch's
    mean squared error (held fixed in the gradient): the "optimal σ" of Rybkin et al. 2021, which
    weighs reconstruction against KL by how well the decoder already does, instead of a Bernoulli's
    fixed weight, and stops colours from being pulled towards 0.5."""
    errors = ops.reshape(ops.square(images - ops.sigmoid(logits)), (ops.shape(images)[0], -1))
    variance = ops.stop_gradient(ops.maximum(ops.mean(errors), MIN_VARIANCE))
    pixels = ops.cast(ops.shape(errors)[1], errors.dtype)
    return ops.sum(errors, axis=1) / (2 * variance) + 0.5 * pixels * ops.log(2 * np.pi * variance)


MIN_VARIANCE = 1e-6  # σ ≥ 0.001: a perfect batch does not make the loss infinite


def kl_to_standard_normal(z_mean, z_log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) in nats per image."""
    return -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=1)


class VAE(keras.Model):
    """Encoder + decoder trained on the negative ELBO (or on reconstruction alone for an AE)."""

    def __init__(self, config: VAEConfig, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.encoder = build_encoder(config)
        self.decoder = build_decoder(config)
        self.sampling = Sampling(seed=seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl")

    def build(self, input_shape=None):
        self.built = True  # the encoder and decoder are functional models, built when created

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def losses_for(self, images, training: bool):
        if self.config.kind == "ae":
            latents = self.encoder(images, training=training)
            kl = ops.zeros((ops.shape(images)[0],))
        else:
            z_mean, z_log_var = self.encoder(images, training=training)
            latents = self.sampling([z_mean, z_log_var])
            kl = kl_to_standard_normal(z_mean, z_log_var)
        likelihood = gaussian_nll if self.config.likelihood == "gaussian" else bernoulli_nll
        reconstruction = likelihood(images, self.decoder(latents, training=training))
        return reconstruction, kl

    def _update(self, reconstruction, kl):
        self.loss_tracker.update_state(reconstruction + kl)
        self.reconstruction_loss_tracker.update_state(reconstruction)
        self.kl_loss_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, images):
        import tensorflow as tf  # the TensorFlow backend's gradient tape

        with tf.GradientTape() as tape:
            reconstruction, kl = self.losses_for(images, training=True)
            loss = ops.mean(reconstruction + self.config.beta * kl)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self._update(reconstruction, kl)

    def test_step(self, images):
        return self._update(*self.losses_for(images, training=False))

    def call(self, images):
        encoded = self.encoder(images)
        latents = encoded if self.config.kind == "ae" else encoded[0]
        return ops.sigmoid(self.decoder(latents))
