"""Model and training configurations: plain dataclasses saved in every checkpoint's manifest.

A checkpoint rebuilds its model from `manifest.json` alone, so every field here says what it
means. No TensorFlow import: the app reads these too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class VAEConfig:
    kind: str = "vae"                    # "vae" (variational) or "ae" (plain autoencoder)
    image_shape: tuple = (28, 28, 1)     # height, width, channels of the model's input
    latent_dim: int = 2                  # size of z
    filters: tuple = (16, 32)            # conv channels; each halves the resolution. (32, 64) decodes
                                         # 3x slower in LiteRT; it gained 3.6 nats at 2-d, none at 16-d
    hidden_units: int = 256              # dense bottleneck between conv features and z
    beta: float = 1.0                    # KL weight in the loss; 1.0 = the true ELBO

    def __post_init__(self):
        self.image_shape = tuple(self.image_shape)
        self.filters = tuple(self.filters)
        if self.kind not in ("vae", "ae"):
            raise ValueError(f"kind must be 'vae' or 'ae', not {self.kind!r}.")
        shrink = 2 ** len(self.filters)
        if self.image_shape[0] % shrink or self.image_shape[1] % shrink:
            raise ValueError(
                f"Image size {self.image_shape[:2]} must be divisible by {shrink} "
                f"for {len(self.filters)} stride-2 conv layers."
            )


@dataclass
class TrainConfig:
    epochs: int = 60                     # passes over the training split
    batch_size: int = 128
    learning_rate: float = 1e-3          # Adam
    seed: int = 0                        # weights, data split and sampling noise
    holdout: int = 1000                  # images kept out of training for the metrics
    patience: int = 20                   # stop after this many epochs without held-out progress


def to_dict(config) -> dict:
    return asdict(config)


def from_dict(cls, values: dict):
    """Build a config from a manifest section, ignoring keys a newer version may have added."""
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in known})

