"""What the shipped decoders draw, judged as a person would look at it (LiteRT, no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from explorer.maths import latent
from explorer.maths.metrics import flat_grey_blocks


def test_a_flat_grey_patch_is_found_and_strokes_and_background_are_not():
    rng = np.random.default_rng(0)
    digit = np.zeros((2, 28, 28, 1), np.uint8)
    digit[:, 6:22, 12:16] = 255  # a stroke: flat, but full ink
    digit[:, 6:22, 11] = 128  # its anti-aliased edge: grey, but one pixel wide
    assert flat_grey_blocks(digit).tolist() == [0, 0]
    noisy = (rng.uniform(0.3, 0.7, (1, 28, 28, 1)) * 255).astype(np.uint8)
    assert flat_grey_blocks(noisy).tolist() == [0]
    digit[1, 12:16, 4:8] = 101  # the block mnist-vae-2d drew: 4×4 pixels of one grey
    assert flat_grey_blocks(digit).tolist() == [0, 4]


# Grey-level models: an emoji's flat yellow face is its own colour, not a dead unit.
GREY_DECODERS = sorted(
    c.name for c in list_checkpoints(("vae", "ae"), root=SHIPPED_CHECKPOINTS)[0] if c.config.image_shape[-1] == 1
)


@pytest.mark.parametrize("name", GREY_DECODERS)
def test_no_shipped_decoder_draws_a_flat_grey_block(name):
    """mnist-vae-2d drew one in the middle of 167 of 225 points of its plane: the units of its decoder's
    dense layer for the middle of the 7×7 seed map were dead (ReLU) for every z, so the biases drew it."""
    from explorer.serving.models import ImageAutoencoder

    model = ImageAutoencoder.from_folder(SHIPPED_CHECKPOINTS / name)
    if model.latent_dim == 2:
        z = latent.plane_grid(15)  # the plane the page shows, ±3 σ
    else:
        z = latent.sample_prior(225, model.latent_dim, seed=0)
    blocks = flat_grey_blocks(model.decode_latents(z))
    assert (blocks > 0).sum() <= 2, f"{(blocks > 0).sum()} of {len(z)} decodes have a flat grey block"
