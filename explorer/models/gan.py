"""DCGAN-style generative adversarial network for grey or colour images (Keras 3).

Shaped after the keras-io DCGAN recipe (`dcgan_overriding_train_step.py`): the discriminator
trains on real and generated images, then the generator trains through the discriminator's
verdict, alternating at every batch. Two additions make it work on a few thousand images:
DiffAugment (Zhao et al. 2020) augments every image the discriminator sees, real or generated,
with differentiable transforms, so it cannot memorise the training set; and the served generator
is an exponential moving average of the trained one, which smooths out the last steps' noise.

Imports TensorFlow; used by training, export and evaluation, never by the app.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from explorer.config import GANConfig

SEED_LAYER = "seed_map"  # the generator's first feature map: where GANSpace looks for directions
CLASS_TABLE = "class_table"  # the fixed layer that turns a one-hot class into its vector (config.class_table)
CLASS_PICTURE = "class_picture"  # the fixed layer that turns a one-hot class into its small picture (G only)


def build_generator(config: GANConfig, name: str = "generator") -> keras.Model:
    """z -> image in [0, 1]: a dense seed map, then 2x upsampling blocks (see GANConfig).

    A conditional generator reads z followed by a one-hot class (`config.input_dim` wide): one
    input, so the served file and its runtime stay those of an unconditional one.
    """
    height, width = config.seed_size
    first, *upsampling = config.generator_filters
    latents = keras.Input(shape=(config.input_dim,), name="z")
    inputs = latents
    if config.class_table:  # z, then what the class looks like
        inputs = layers.Concatenate()(
            [latents[:, : config.latent_dim], _looks(config, latents[:, config.latent_dim :])]
        )
    picture = _picture(config, latents[:, config.latent_dim :]) if config.class_picture else None
    x = layers.Dense(height * width * first)(inputs)
    x = layers.Reshape((height, width, first))(x)
    x = _painted(config, x, name=SEED_LAYER)
    nearest = config.upsampling == "nearest"
    for filters in upsampling:
        if nearest:
            x = layers.UpSampling2D(2, interpolation="nearest")(x)
        if picture is not None:  # beside the map the next convolution reads (transposed: before it grows)
            x = layers.Concatenate()([x, _at_side(picture, x.shape[1])])
        if nearest:
            x = layers.Conv2D(filters, 3, padding="same")(x)
        else:
            x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same")(x)
        x = _painted(config, x)
    images = layers.Conv2D(config.image_shape[-1], 3, padding="same", activation="sigmoid", name="image")(x)
    return keras.Model(latents, images, name=name)


def _looks(config: GANConfig, one_hot):
    """The class's fixed vector (`GAN.set_class_table`): a one-hot times a table that never trains."""
    return layers.Dense(config.class_table, use_bias=False, trainable=False, name=CLASS_TABLE)(one_hot)


def _picture(config: GANConfig, one_hot):
    """The class's small picture (`GAN.set_class_pictures`): a one-hot times a table that never trains,
    (B, side, side, channels), blank (zero) until it is set."""
    side, channels = config.class_picture, config.image_shape[-1]
    flat = layers.Dense(
        side * side * channels, use_bias=False, trainable=False, kernel_initializer="zeros", name=CLASS_PICTURE
    )(one_hot)
    return layers.Reshape((side, side, channels))(flat)


def _at_side(picture, side: int):
    """The picture averaged down, or repeated up (nearest), to `side` pixels a side."""
    own = picture.shape[1]
    if side < own:
        return layers.AveragePooling2D(own // side)(picture)
    return layers.UpSampling2D(side // own, interpolation="nearest")(picture) if side > own else picture


def _painted(config: GANConfig, x, name: str | None = None):
    """A generator conv's output, batch-normalised (if the config says so) and activated."""
    if config.batch_norm:
        x = layers.BatchNormalization()(x)
    return layers.LeakyReLU(0.2, name=name)(x)


def build_discriminator(config: GANConfig) -> keras.Model:
    """Image in [0, 1] (and, if conditional, its one-hot class) -> one logit: real (> 0) or generated.

    The class enters by projection (Miyato & Koyama 2018): the logit gains the inner product of
    the image's features with a learnt vector of its class, so D asks "is this a real 7?".
    """
    images = keras.Input(shape=config.image_shape, name="image")
    x = images
    for filters in config.discriminator_filters:
        for _ in range(config.discriminator_convs - 1):
            x = layers.Conv2D(x.shape[-1], 3, padding="same")(x)
            x = layers.LeakyReLU(0.2)(x)
        x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    logit = layers.Dense(1, name="logit")(x)
    if not config.classes:
        return keras.Model(images, logit, name="discriminator")
    classes = keras.Input(shape=(config.classes,), name="class")
    described = _looks(config, classes) if config.class_table else classes
    class_vectors = layers.Dense(x.shape[-1], use_bias=False, name="class_embedding")(described)
    projection = ops.sum(x * class_vectors, axis=-1, keepdims=True)  # (B, 1)
    return keras.Model(
        [images, classes], layers.Add(name="conditional_logit")([logit, projection]), name="discriminator"
    )


def seed_map_model(generator: keras.Model) -> keras.Model:
    """z -> the generator's first feature map, flattened (the activations GANSpace decomposes)."""
    seed_map = generator.get_layer(SEED_LAYER).output
    return keras.Model(generator.input, layers.Flatten()(seed_map), name="seed_map")


# DiffAugment: each transform is differentiable in the image, so the generator learns through it.


def _brightness(x, rng):
    return x + (keras.random.uniform((ops.shape(x)[0], 1, 1, 1), seed=rng) - 0.5)


def _saturation(x, rng):
    mean = ops.mean(x, axis=3, keepdims=True)
    return (x - mean) * (keras.random.uniform((ops.shape(x)[0], 1, 1, 1), seed=rng) * 2) + mean


def _contrast(x, rng):
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * (keras.random.uniform((ops.shape(x)[0], 1, 1, 1), seed=rng) + 0.5) + mean


def _translation(x, rng, ratio: float = 0.125):
    """Shift each image by up to `ratio` of its size, filling with zeros."""
    import tensorflow as tf

    batch, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    dy, dx = int(height * ratio + 0.5), int(width * ratio + 0.5)
    shift_y = keras.random.randint((batch, 1), -dy, dy + 1, seed=rng)
    shift_x = keras.random.randint((batch, 1), -dx, dx + 1, seed=rng)
    padded = tf.pad(x, [[0, 0], [dy, dy], [dx, dx], [0, 0]])
    rows = ops.arange(height)[None, :] + shift_y + dy  # (B, H)
    cols = ops.arange(width)[None, :] + shift_x + dx  # (B, W)
    x = tf.gather(padded, rows, axis=1, batch_dims=1)  # (B, H, W + 2dx, C)
    return tf.gather(x, cols, axis=2, batch_dims=1)  # (B, H, W, C)


def _cutout(x, rng, ratio: float = 0.5):
    """Blank one square of `ratio` of the image's size at a random place in each image."""
    batch, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    top = keras.random.randint((batch, 1, 1), 0, height + 1 - size_y % 2, seed=rng) - size_y // 2
    left = keras.random.randint((batch, 1, 1), 0, width + 1 - size_x % 2, seed=rng) - size_x // 2
    rows = ops.arange(height)[None, :, None]
    cols = ops.arange(width)[None, None, :]
    inside = (rows >= top) & (rows < top + size_y) & (cols >= left) & (cols < left + size_x)  # (B, H, W)
    return x * ops.cast(ops.logical_not(inside), x.dtype)[..., None]


AUGMENTATIONS = {
    "color": (_brightness, _saturation, _contrast),
    "translation": (_translation,),
    "cutout": (_cutout,),
}


def diff_augment(images, policy: str, rng) -> keras.KerasTensor:
    """Apply every transform of a comma-separated policy ("color,translation,cutout")."""
    for name in filter(None, policy.split(",")):
        for transform in AUGMENTATIONS[name]:
            images = transform(images, rng)
    return images


class GAN(keras.Model):
    """Generator and discriminator trained against each other; `ema_generator` is what ships."""

    def __init__(self, config: GANConfig, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.generator = build_generator(config)
        self.ema_generator = build_generator(config, name="ema_generator")
        self.ema_generator.set_weights(self.generator.get_weights())
        self.discriminator = build_discriminator(config)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_score_tracker = keras.metrics.Mean(name="d_real")  # mean D(x) on real images
        self.fake_score_tracker = keras.metrics.Mean(name="d_fake")  # mean D(G(z)) on generated ones
        self.r1_tracker = keras.metrics.Mean(name="r1")  # the R1 penalty, when there is one

    def build(self, input_shape=None):
        self.built = True  # the sub-networks are functional models, built when created

    def set_class_table(self, table: np.ndarray):
        """Give every network the (classes, config.class_table) vectors its classes are read through."""
        for network in (self.generator, self.ema_generator, self.discriminator):
            network.get_layer(CLASS_TABLE).set_weights([np.asarray(table, "float32")])

    def set_class_pictures(self, pictures: np.ndarray):
        """Give the generators each class's (config.class_picture)² picture, flattened: (classes, side² × channels)."""
        for network in (self.generator, self.ema_generator):
            network.get_layer(CLASS_PICTURE).set_weights([np.asarray(pictures, "float32")])

    def set_class_images(self, images: np.ndarray, labels: np.ndarray):
        """Give the generator's image-match term the training images (pixels in [0, 1]) and their classes:
        each class's images, as rows of indices into `images` padded with -1."""
        members = [np.flatnonzero(labels == label) for label in range(self.config.classes)]
        table = np.full((self.config.classes, max(map(len, members))), -1, "int32")
        for label, mine in enumerate(members):
            table[label, : len(mine)] = mine
        self.class_images = ops.convert_to_tensor(np.asarray(images, "float32"))
        self.class_members = ops.convert_to_tensor(table)

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    def build_optimizer_state(self):
        """Create both optimizers' moments, so that a resumed run's weights file restores them."""
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.real_score_tracker, self.fake_score_tracker]
        return trackers + ([self.r1_tracker] if self.config.r1_gamma else [])

    def _random_inputs(self, count):
        """Generator inputs: z ~ N(0, I), and for a conditional GAN a one-hot class drawn with the data's odds."""
        z = keras.random.normal((count, self.config.latent_dim), seed=self.seed_generator)
        if not self.config.classes:
            return z, None
        if self.config.class_shares:  # as often as the training data has each class
            odds = ops.log(ops.convert_to_tensor([self.config.class_shares], "float32"))
            labels = keras.random.categorical(odds, count, seed=self.seed_generator)[0]
        else:
            labels = keras.random.randint((count,), 0, self.config.classes, seed=self.seed_generator)
        one_hot = ops.one_hot(labels, self.config.classes)
        return ops.concatenate([z, one_hot], axis=-1), one_hot

    def _judge(self, images, one_hot=None, training=True):
        augmented = diff_augment(images, self.config.augment, self.seed_generator)
        inputs = augmented if one_hot is None else [augmented, one_hot]
        return self.discriminator(inputs, training=training)

    def _d_loss(self, real_logits, fake_logits):
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        return bce(ops.ones_like(real_logits), real_logits) + bce(ops.zeros_like(fake_logits), fake_logits)

    def r1_penalty(self, real_images, one_hot=None):
        """γ/2 times the mean squared norm of D's gradient at real images: D's verdict is kept flat
        around the training images, so it cannot sharpen on a few thousand of them (Mescheder et al.
        2018). Measured on the first quarter of the batch, a quarter of the cost."""
        import tensorflow as tf

        count = ops.maximum(ops.shape(real_images)[0] // 4, 1)
        images = real_images[:count]
        with tf.GradientTape() as tape:
            tape.watch(images)
            total = ops.sum(self._judge(images, None if one_hot is None else one_hot[:count]))
        slopes = tape.gradient(total, images)
        return 0.5 * self.config.r1_gamma * ops.mean(ops.sum(ops.square(slopes), axis=(1, 2, 3)))

    def mode_seeking_penalty(self, inputs, images):
        """MSGAN (Mao et al. 2019): the batch again with other z and the same classes; the penalty is
        1 / (mean |image change| / mean |z change|), large when G draws the same picture for every z."""
        z = inputs[:, : self.config.latent_dim]
        other_z = keras.random.normal(ops.shape(z), seed=self.seed_generator)
        others = self.generator(ops.concatenate([other_z, inputs[:, self.config.latent_dim :]], axis=-1), training=True)
        ratio = ops.mean(ops.abs(images - others)) / ops.mean(ops.abs(z - other_z))
        return 1.0 / (ratio + 1e-5)

    def image_mismatch(self, inputs, images):
        """Mean over the batch of |each sample - the nearest training image of its class| (the mean
        over pixels): a class is drawn as its images are, and the seed may pick which of them (a skin
        tone), as in pix2pix's L1 term with a choice of targets."""
        labels = ops.argmax(inputs[:, self.config.latent_dim :], axis=-1)
        members = ops.take(self.class_members, labels, axis=0)  # (batch, most images of a class)
        targets = ops.take(self.class_images, ops.maximum(members, 0), axis=0)
        distances = ops.mean(ops.abs(targets - images[:, None]), axis=(2, 3, 4))
        distances = ops.where(members >= 0, distances, ops.full_like(distances, 1e9))  # padding is never nearest
        return ops.mean(ops.min(distances, axis=1))

    def _g_loss(self, fooled_logits):
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        return bce(ops.ones_like(fooled_logits), fooled_logits)  # the non-saturating generator loss

    def train_step(self, batch_data):
        import tensorflow as tf  # the TensorFlow backend's gradient tape

        if self.config.classes:
            real_images, real_labels = batch_data
            real_one_hot = ops.one_hot(ops.cast(real_labels, "int32"), self.config.classes)
        else:
            real_images, real_one_hot = batch_data, None
        batch = ops.shape(real_images)[0]
        inputs, fake_one_hot = self._random_inputs(batch)
        fake_images = self.generator(inputs, training=True)
        with tf.GradientTape() as tape:
            real_logits = self._judge(real_images, real_one_hot)
            fake_logits = self._judge(fake_images, fake_one_hot)
            d_loss = self._d_loss(real_logits, fake_logits)
            if self.config.r1_gamma:
                penalty = self.r1_penalty(real_images, real_one_hot)
                d_loss += penalty
                self.r1_tracker.update_state(penalty)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        with tf.GradientTape() as tape:
            inputs, fake_one_hot = self._random_inputs(batch)
            fooled_images = self.generator(inputs, training=True)
            fooled_logits = self._judge(fooled_images, fake_one_hot)
            g_loss = self._g_loss(fooled_logits)
            if self.config.mode_seeking:
                g_loss += self.config.mode_seeking * self.mode_seeking_penalty(inputs, fooled_images)
            if self.config.image_match:
                g_loss += self.config.image_match * self.image_mismatch(inputs, fooled_images)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        # Ramped up as in StyleGAN: early on the average follows G closely instead of lagging at its init.
        steps = ops.cast(self.g_optimizer.iterations, "float32")
        decay = ops.minimum(self.config.ema_decay, (1.0 + steps) / (10.0 + steps))
        for average, weight in zip(self.ema_generator.weights, self.generator.weights):
            average.assign(decay * average + (1 - decay) * weight)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_score_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.fake_score_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def call(self, latents):
        return self.ema_generator(latents)
