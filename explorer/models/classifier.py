"""A small convolutional image classifier: the project's own feature network for GAN metrics.

FID needs features from a network that knows the images; the usual Inception network knows
photographs, not 28-pixel digits, and is too big to ship. This classifier is trained here on the
same data as the GANs (digit labels, or emoji categories), and its penultimate dense layer
(`features`, 128 ReLU units) gives the features for FID and for "nearest training images".
FIDs computed with it are comparable only with each other, never with published FIDs.

Imports TensorFlow; used by training, export and evaluation, never by the app.
"""

from __future__ import annotations

import keras
from keras import layers

from explorer.config import ClassifierConfig

FEATURE_LAYER = "features"


def build_classifier(config: ClassifierConfig) -> keras.Model:
    """Image in [0, 1] -> class logits."""
    images = keras.Input(shape=config.image_shape, name="image")
    x = images
    for filters in config.filters:
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(config.feature_units, activation="relu", name=FEATURE_LAYER)(x)
    x = layers.Dropout(config.dropout)(x)
    logits = layers.Dense(config.classes, name="logits")(x)
    return keras.Model(images, logits, name="classifier")


def feature_model(classifier: keras.Model) -> keras.Model:
    """Image -> the penultimate layer's activations."""
    return keras.Model(classifier.input, classifier.get_layer(FEATURE_LAYER).output, name="feature_extractor")
