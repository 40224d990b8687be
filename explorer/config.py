"""Model and training configurations: plain dataclasses saved in every checkpoint's manifest.

A checkpoint rebuilds its model from `manifest.json` alone, so every field here says what it
means. No TensorFlow import: the app reads these too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

LIKELIHOODS = ("bernoulli", "gaussian")
ACTIVATIONS = ("relu", "leaky_relu")  # a VAE's hidden layers


@dataclass
class VAEConfig:
    kind: str = "vae"  # "vae" (variational) or "ae" (plain autoencoder)
    image_shape: tuple = (28, 28, 1)  # height, width, channels of the model's input
    latent_dim: int = 2  # size of z
    filters: tuple = (16, 32)  # conv channels; each halves the resolution. (32, 64) decodes
    # 3x slower in LiteRT; it gained 3.6 nats at 2-d, none at 16-d
    hidden_units: int = 256  # dense bottleneck between conv features and z
    beta: float = 1.0  # KL weight in the loss; 1.0 = the true ELBO
    # p(x | z): "bernoulli" (grey levels as probabilities; digits) or "gaussian" (a Gaussian around
    # the decode whose variance is the batch's mean squared error, the "optimal σ-VAE"; colour)
    likelihood: str = "bernoulli"
    # The hidden layers' activation. With "relu" (the keras-io recipe) the units of mnist-vae-2d's
    # decoder that draw the middle of its 7×7 seed map died: every z drew a flat grey block there.
    # "leaky_relu" (slope 0.2 below zero) cannot die.
    activation: str = "leaky_relu"

    def __post_init__(self):
        self.image_shape = tuple(self.image_shape)
        self.filters = tuple(self.filters)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {self.activation!r}.")
        if self.kind not in ("vae", "ae"):
            raise ValueError(f"kind must be 'vae' or 'ae', not {self.kind!r}.")
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {', '.join(LIKELIHOODS)}, not {self.likelihood!r}.")
        shrink = 2 ** len(self.filters)
        if self.image_shape[0] % shrink or self.image_shape[1] % shrink:
            raise ValueError(
                f"Image size {self.image_shape[:2]} must be divisible by {shrink} "
                f"for {len(self.filters)} stride-2 conv layers."
            )


@dataclass
class GANConfig:
    kind: str = "gan"
    image_shape: tuple = (28, 28, 1)  # height, width, channels of the generated images
    latent_dim: int = 64  # size of z ~ N(0, I)
    generator_filters: tuple = (128, 64, 32)  # channels of the dense seed map, then after each 2x
    # transposed conv; len - 1 upsamplings reach the image size
    discriminator_filters: tuple = (64, 128)  # channels of the stride-2 convs that judge an image
    augment: str = "translation,cutout"  # DiffAugment policy applied to every image D sees
    ema_decay: float = 0.999  # the served generator is this moving average of G's weights
    upsampling: str = "transposed"  # "transposed": 4x4 stride-2 transposed convs; "nearest": 2x
    # nearest-neighbour then a 3x3 conv (no checkerboard artefacts)
    batch_norm: bool = False  # batch normalisation after each generator conv, as in DCGAN
    classes: int = 0  # 0: unconditional; else a class-conditional GAN whose
    # generator reads z followed by a one-hot class
    class_names: tuple = ()  # what each class is called ("7", "Food & Drink")
    class_parents: tuple = ()  # each class's coarser class, the one the project's classifier reads
    # ("family" -> "People & Body"); empty when the classes are the classifier's own
    class_shares: tuple = ()  # each class's share of the training images: training draws the classes
    # it asks G for with these odds, and evaluation likewise (empty: every class alike)
    default_class: str = ""  # the class the GAN page opens on; empty: the one the training data has most of
    discriminator_convs: int = 1  # convolutions per resolution in D: the stride-2 one, and before it
    # this many minus one 3x3 stride-1 ones (2: a deeper judge at about twice D's cost)
    r1_gamma: float = 0.0  # R1 penalty (Mescheder et al. 2018): γ/2 · E‖∇ D(real image)‖², pixels in [0, 1],
    # measured on a quarter of each batch (0: none)
    mode_seeking: float = 0.0  # weight of MSGAN's term (Mao et al. 2019): G pays 1 / (|G(z1, c) - G(z2, c)| /
    # |z1 - z2|), so two seeds of one class must differ (0: none); against a class that decides everything
    class_table: int = 0  # > 0: G and D read the class through a fixed vector this wide per class, what
    # the project's classifier sees in its images (their mean features) and their coarse colours, so that
    # alike classes start alike (training.gan.class_table)
    class_grid: int = 0  # the cells per side of the grid the table's colours are on (its last grid² × channels)
    image_match: float = 0.0  # G pays this times the mean |its sample - the nearest training image of its
    # class|, pixels in [0, 1]: a class is drawn as its images are (pix2pix's L1 term; 0: none)
    class_picture: int = 0  # > 0: G also sees its class's mean image, shrunk to this many pixels a side (a
    # fixed table, training.gan.class_pictures), beside its feature maps at every scale after the seed map:
    # a class of one image has its shapes to start from, not only its features and coarse colours

    def __post_init__(self):
        self.image_shape = tuple(self.image_shape)
        self.class_names = tuple(self.class_names)
        self.class_parents = tuple(self.class_parents)
        self.class_shares = tuple(float(share) for share in self.class_shares)
        self.generator_filters = tuple(self.generator_filters)
        self.discriminator_filters = tuple(self.discriminator_filters)
        if self.upsampling not in ("transposed", "nearest"):
            raise ValueError(f"upsampling must be 'transposed' or 'nearest', not {self.upsampling!r}.")
        if not self.mode_seeking >= 0:
            raise ValueError(f"mode_seeking must be 0 or more, not {self.mode_seeking}.")
        if not self.r1_gamma >= 0:
            raise ValueError(f"r1_gamma must be 0 or more, not {self.r1_gamma}.")
        if self.default_class and self.default_class not in self.class_names:
            raise ValueError(f"default_class {self.default_class!r} is not one of the classes.")
        if self.class_table and not self.classes:
            raise ValueError("class_table needs a conditional GAN (classes).")
        if self.class_grid and (
            self.class_table < self.class_grid**2 * self.image_shape[-1] or self.image_shape[0] % self.class_grid
        ):
            raise ValueError(f"class_grid {self.class_grid} needs a class_table of its colours and images it divides.")
        if not self.image_match >= 0 or (self.image_match and not self.classes):
            raise ValueError(f"image_match must be 0, or more for a conditional GAN (classes), not {self.image_match}.")
        sides = [self.image_shape[0] // 2**k for k in range(len(self.generator_filters))]  # G's maps, image first
        picture = max(self.class_picture, 1)
        if (
            self.class_picture < 0
            or (self.class_picture and not self.classes)
            or any(side % picture and picture % side for side in sides)
        ):
            raise ValueError(
                f"class_picture must be 0, or for a conditional GAN a side that each of the generator's map sides "
                f"{sides} divides or is divided by, not {self.class_picture}."
            )
        if self.discriminator_convs < 1:
            raise ValueError(f"discriminator_convs must be at least 1, not {self.discriminator_convs}.")
        shrink = 2 ** (len(self.generator_filters) - 1)
        if self.image_shape[0] % shrink or self.image_shape[1] % shrink:
            raise ValueError(
                f"Image size {self.image_shape[:2]} must be divisible by {shrink} "
                f"for {len(self.generator_filters) - 1} upsampling layers."
            )

    @property
    def input_dim(self) -> int:
        """Width of the generator's one input: z, then the one-hot class of a conditional GAN."""
        return self.latent_dim + self.classes

    @property
    def seed_size(self) -> tuple:
        """Height and width of the generator's first feature map (its GANSpace layer)."""
        shrink = 2 ** (len(self.generator_filters) - 1)
        return self.image_shape[0] // shrink, self.image_shape[1] // shrink


@dataclass
class ClassifierConfig:
    kind: str = "classifier"
    image_shape: tuple = (28, 28, 1)
    classes: int = 10
    filters: tuple = (32, 64)  # stride-2 conv channels
    feature_units: int = 128  # the penultimate dense layer: FID and nearest-image features
    dropout: float = 0.3

    def __post_init__(self):
        self.image_shape = tuple(self.image_shape)
        self.filters = tuple(self.filters)


@dataclass
class CharRNNConfig:
    kind: str = "charrnn"
    vocab_size: int = 65  # characters the model knows (set from the training text)
    embedding_dim: int = 64  # size of each character's learnt vector (the Projector shows them)
    units: int = 512  # GRU state size: memory and capacity, and the serving cost per step
    seq_len: int = 100  # characters per training sequence (backpropagation through time)
    dropout: float = 0.0  # training only: share of the GRU's inputs and outputs zeroed (0: none)


@dataclass
class TrainConfig:
    epochs: int = 60  # passes over the training split
    batch_size: int = 128
    learning_rate: float = 1e-3  # Adam
    seed: int = 0  # weights, data split and sampling noise
    holdout: int = 1000  # images kept out of training for the metrics
    patience: int = 20  # stop after this many epochs without held-out progress
    decay_from: int = 0  # after this epoch the learning rate falls linearly to 0 at the last (0: constant)
    shift: int = 0  # VAE/AE: each training image moved by up to this many pixels across and down (0: as it is)

    def rate_at(self, epoch: int) -> float:
        """Adam's rate during `epoch` (0-based): constant, or after `decay_from` epochs falling in
        equal steps so that the last epoch runs at 1/n of it (n: the decaying epochs)."""
        if not self.decay_from or epoch < self.decay_from:
            return self.learning_rate
        return self.learning_rate * (self.epochs - epoch) / (self.epochs - self.decay_from)


# What `train KIND` uses unless the command line says otherwise: the one place for these (the
# command's help text is written from it).
TRAINING_DEFAULTS = {
    "vae": TrainConfig(),
    "ae": TrainConfig(),
    "gan": TrainConfig(epochs=100, batch_size=64, learning_rate=2e-4),
    "classifier": TrainConfig(epochs=30),
    "charrnn": TrainConfig(epochs=30, batch_size=64, learning_rate=2e-3, patience=5),
}

# The config class of each kind of checkpoint.
MODEL_CONFIGS = {
    "vae": VAEConfig,
    "ae": VAEConfig,
    "gan": GANConfig,
    "classifier": ClassifierConfig,
    "charrnn": CharRNNConfig,
}


def training_config(kind: str, **given) -> TrainConfig:
    """The kind's training defaults with the settings given (None: not given)."""
    return replace(TRAINING_DEFAULTS[kind], **{key: value for key, value in given.items() if value is not None})


def model_config(kind: str, values: dict):
    """The config of a `kind` model from a manifest's `config` section."""
    return from_dict(MODEL_CONFIGS[kind], {**values, "kind": kind})


def to_dict(config) -> dict:
    return asdict(config)


def from_dict(cls, values: dict):
    """Build a config from a manifest section, ignoring keys a newer version may have added."""
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in known})


def default_generator_filters(size: int) -> tuple:
    """Upsample from a seed map of 7×7 (28-pixel images) or 4×4: 256 channels there, halving each time."""
    upsamplings = 2 if size % 7 == 0 else max(1, int(size).bit_length() - 3)
    return tuple(max(16, 256 >> (step + (size % 7 == 0))) for step in range(upsamplings + 1))


def default_discriminator_filters(size: int) -> tuple:
    """D's stride-2 convolutions: two for 28-pixel images, three above."""
    return (64, 128, 256)[: 2 + (size > 28)]


def default_augment(channels: int) -> str:
    """DiffAugment's policy: colour images also have their colours jittered."""
    return "translation,cutout" if channels == 1 else "color,translation,cutout"


def default_likelihood(channels: int) -> str:
    """p(x | z): grey levels read as probabilities; colour as a Gaussian around the decode."""
    return "bernoulli" if channels == 1 else "gaussian"
