"""The shipped embedding of a VAE: every image's latent mean, its metadata and default projections."""

import json

import numpy as np

from explorer.projector.embedding import load_embedding
from explorer.projector.projection import projection_key
from explorer.serving.models import ImageAutoencoder
from tests.support.checkpoints import QUICK_TSNE
from tests.support.cli import run_cli
from tests.support.data import small_digits


def test_embedding_holds_every_image_at_its_served_latent_mean(embedded_vae):
    embedding = load_embedding(embedded_vae, "tiny-vae")
    x, y = small_digits()
    assert embedding.vectors.shape == (len(x), 3)
    np.testing.assert_array_equal(embedding.thumbnails, x)
    served = ImageAutoencoder.from_folder(embedded_vae).encode_images(x[:5]).mu
    np.testing.assert_allclose(embedding.vectors[:5], served, atol=1e-5)
    assert list(embedding.metadata["label"][:5]) == [str(v) for v in y[:5]]


def test_split_column_marks_exactly_the_held_out_images(embedded_vae):
    embedding = load_embedding(embedded_vae, "tiny-vae")
    manifest = json.loads((embedded_vae / "manifest.json").read_text())
    held_out = embedding.metadata["split"] == "held-out"
    assert held_out.sum() == manifest["training"]["holdout"]
    examples = np.load(embedded_vae / "examples.npz")  # the VAE page's examples are the held-out images
    # the embedding is the served (float16-weight) encoder's, the examples Keras's: within 2e-3
    np.testing.assert_allclose(np.sort(embedding.vectors[held_out], axis=0), np.sort(examples["mu"], axis=0), atol=2e-3)


def test_manifest_names_the_files_and_the_default_projection_is_shipped(embedded_vae):
    manifest = json.loads((embedded_vae / "manifest.json").read_text())
    assert manifest["files"]["embedding"] == "embedding.npz"
    assert manifest["embedding"]["points"] == 600 and "split" in manifest["embedding"]["columns"]
    projections = np.load(embedded_vae / manifest["files"]["projections"])
    assert projections[projection_key(QUICK_TSNE)].shape == (600, 2)


def test_projection_key_is_the_same_for_equal_parameters_and_differs_otherwise():
    from explorer.projector.projection import ProjectionParams

    assert projection_key(ProjectionParams("umap", 2)) == projection_key(ProjectionParams("umap", 2, seed=0))
    assert projection_key(ProjectionParams("umap", 2)) != projection_key(ProjectionParams("umap", 2, seed=1))
    assert projection_key(ProjectionParams("umap", 2)) != projection_key(ProjectionParams("umap", 3))


def test_embed_without_data_needs_an_embedding_already_shipped(tiny_vae):
    result = run_cli("embed", tiny_vae)
    assert result.returncode == 2 and "ships no embedding yet" in result.stderr and "Traceback" not in result.stderr
