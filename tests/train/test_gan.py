"""GAN training on tiny data, its checkpoint, Keras -> LiteRT parity, DiffAugment and the CLI."""

import json

import numpy as np
import pytest

from explorer.checkpoint import read_checkpoint
from explorer.serving.models import ImageGenerator
from tests.support.checkpoints import TINY_GAN, needs_tensorflow
from tests.support.cli import run_cli, write_recipe

pytestmark = needs_tensorflow


def test_gan_checkpoint_describes_itself(tiny_gan):
    manifest = read_checkpoint(tiny_gan).manifest
    assert manifest["kind"] == "gan" and manifest["config"]["latent_dim"] == 4
    history = manifest["training"]["history"]
    assert len(history) == 2 and {"d_loss", "g_loss", "d_real", "d_fake"} <= set(history[0])
    assert "fid" in history[-1] and manifest["training"]["selected_by"] == "lowest FID during training"
    metrics = manifest["metrics"]
    assert metrics["fid"] > metrics["fid_real_halves"] >= 0 and 0 <= metrics["confident_share"] <= 1
    assert not (tiny_gan / ".resume").exists()


def test_served_generator_ships_timeline_directions_and_neighbours(tiny_gan):
    model = ImageGenerator.from_folder(tiny_gan)
    assert model.generate(np.zeros((3, 4))).shape == (3, 8, 8, 1)
    timeline = model.timeline()
    assert timeline["frames"].shape == (2, 16, 8, 8, 1) and timeline["epochs"].tolist() == [1, 2]
    vectors = model.directions.vectors
    np.testing.assert_allclose(vectors @ vectors.T, np.eye(len(vectors)), atol=1e-5)
    assert len(model.training_images.images) == 600 and model.training_images.classify(model.generate(np.zeros((1, 4))))


def test_timeline_records_each_epochs_verdicts_as_the_shipped_discriminator_gives_them(tiny_gan):
    """Every kept epoch's D scored the timeline's samples, fixed training images and noise; the last
    epoch's D is the one that ships, so its recorded scores are what discriminator.tflite says."""
    model = ImageGenerator.from_folder(tiny_gan)
    timeline = model.timeline()
    verdicts = timeline["verdicts"]
    assert verdicts.shape == (2, 3, 16) and np.isfinite(verdicts).all() and ((verdicts > 0) & (verdicts < 1)).all()
    assert timeline["real"].shape == timeline["noise"].shape == (16, 8, 8, 1)
    assert not np.array_equal(verdicts[0], verdicts[1])  # a second epoch of training changed D
    for row, images in enumerate((timeline["frames"][-1], timeline["real"], timeline["noise"])):
        np.testing.assert_allclose(verdicts[-1, row], model.verdict(images), atol=2e-3)


def test_litert_generator_matches_keras_to_a_thousandth(tiny_gan):
    """The generator file stores float16 weights (the page downloads it)."""
    from explorer.models.loading import load_keras_model

    keras_model = load_keras_model(read_checkpoint(tiny_gan))
    z = np.random.default_rng(0).standard_normal((6, 4)).astype("float32") * 2
    expected = np.asarray(keras_model.ema_generator(z, training=False))
    np.testing.assert_allclose(ImageGenerator.from_folder(tiny_gan).generator(z), expected, atol=1e-3)


def test_the_shipped_discriminator_is_the_keras_one(tiny_gan):
    """discriminator.tflite: D's probability that an image is real, as Keras computes it."""
    import keras

    from explorer.models.loading import load_keras_model

    keras_model = load_keras_model(read_checkpoint(tiny_gan))
    served = ImageGenerator.from_folder(tiny_gan)
    images = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 1), dtype=np.uint8)
    expected = keras.ops.convert_to_numpy(keras.ops.sigmoid(keras_model.discriminator(images / 255.0)))[:, 0]
    np.testing.assert_allclose(served.verdict(images), expected, atol=1e-3)
    assert read_checkpoint(tiny_gan).manifest["stored_as"]["discriminator"].startswith("float16")


def test_nearest_images_match_a_brute_force_search_in_pixels(tiny_gan):
    model = ImageGenerator.from_folder(tiny_gan)
    samples = model.generate(np.random.default_rng(1).standard_normal((5, 4)))
    order, distance = model.training_images.nearest(samples, k=4)
    train = model.training_images.images.reshape(600, -1) / 255.0
    for row in range(5):
        rms = np.sqrt(((train - samples[row].reshape(-1) / 255.0) ** 2).mean(axis=1))
        np.testing.assert_allclose(distance[row], np.sort(rms)[:4], atol=1e-4)
        assert order[row][0] == int(np.argmin(rms))


def test_a_copy_is_at_distance_zero_and_other_images_at_the_scale_between_training_images(tiny_gan):
    """Does the GAN copy? A training image itself is at 0, and its nearest other one about as far as
    training images typically are from each other (emoji-classifier features put every face within
    0.002 of every other: no distance could tell)."""
    images = ImageGenerator.from_folder(tiny_gan).training_images
    _, distance = images.nearest(images.images[:20], k=2)
    assert (distance[:, 0] < 1e-3).all(), "an image is at 0 from itself (float32 rounding aside)"
    others = distance[:, 1]
    assert 0.3 * images.copy_scale < np.median(others) < 3 * images.copy_scale and images.copy_scale > 0.05


def test_latent_for_is_seed_then_truncation_then_directions(tiny_gan):
    from explorer.maths.latent import sample_prior

    model = ImageGenerator.from_folder(tiny_gan)
    z = sample_prior(1, 4, 7)[0]
    np.testing.assert_allclose(model.latent_for(7), z)
    np.testing.assert_allclose(model.latent_for(7, psi=0.5), z / 2, atol=1e-6)
    moved = model.latent_for(7, 1.0, [1.5], shift=[0, 0, 0, 1])
    np.testing.assert_allclose(moved, z + 1.5 * model.directions.vectors[0] + [0, 0, 0, 1], atol=1e-6)


@pytest.mark.parametrize("upsampling, batch_norm", [("transposed", False), ("nearest", True)])
def test_generator_reaches_the_image_size_either_way(upsampling, batch_norm):
    from explorer.config import GANConfig
    from explorer.models.gan import build_generator

    config = GANConfig(
        image_shape=(32, 32, 3),
        latent_dim=8,
        generator_filters=(32, 16, 8, 8),
        upsampling=upsampling,
        batch_norm=batch_norm,
    )
    generator = build_generator(config)
    kinds = {layer.__class__.__name__ for layer in generator.layers}
    assert generator.output_shape == (None, 32, 32, 3)
    assert ("Conv2DTranspose" in kinds) == (upsampling == "transposed")
    assert ("BatchNormalization" in kinds) == batch_norm


def test_unknown_upsampling_is_refused_with_a_sentence():
    from explorer.config import GANConfig

    with pytest.raises(ValueError, match="upsampling must be 'transposed' or 'nearest'"):
        GANConfig(upsampling="bilinear")


def test_too_few_discriminator_convs_are_refused_with_a_sentence():
    from explorer.config import GANConfig

    with pytest.raises(ValueError, match="discriminator_convs must be at least 1, not 0"):
        GANConfig(discriminator_convs=0)


def test_cross_entropy_losses_match_their_formulas():
    from explorer.config import GANConfig
    from explorer.models.gan import GAN

    real, fake = np.array([[2.0], [0.5]], "float32"), np.array([[-2.0], [0.0]], "float32")
    model = GAN(GANConfig(**TINY_GAN))
    assert float(model._d_loss(real, fake)) == pytest.approx(
        np.mean(np.log1p(np.exp(-real))) + np.mean(np.log1p(np.exp(fake))), rel=1e-5
    )
    fooled = np.array([[1.0], [-3.0]], "float32")  # the non-saturating loss: -log sigmoid(D(G(z)))
    assert float(model._g_loss(fooled)) == pytest.approx(np.mean(np.log1p(np.exp(-fooled))), rel=1e-5)


def test_a_deeper_discriminator_adds_a_3x3_conv_before_each_stride_2_one():
    from explorer.config import GANConfig
    from explorer.models.gan import build_discriminator

    def convs(config):
        layers = build_discriminator(GANConfig(**config)).layers
        return [(layer.kernel_size, layer.strides) for layer in layers if layer.__class__.__name__ == "Conv2D"]

    assert convs(TINY_GAN) == [((4, 4), (2, 2))] * len(TINY_GAN["discriminator_filters"])
    assert convs({**TINY_GAN, "discriminator_convs": 2}) == [((3, 3), (1, 1)), ((4, 4), (2, 2))] * len(
        TINY_GAN["discriminator_filters"]
    )


def test_r1_penalty_is_half_gamma_times_the_squared_slope_of_d_at_a_quarter_of_the_real_images():
    """Checked against D's slope found by central differences, pixel by pixel, in NumPy."""
    import keras

    from explorer.config import GANConfig
    from explorer.models.gan import GAN

    keras.utils.set_random_seed(0)  # D's weights: not whatever the tests before left in Keras' generator
    model = GAN(GANConfig(**TINY_GAN, r1_gamma=3.0), seed=0)
    model._judge = lambda images, one_hot=None: model.discriminator(images, training=False)  # no dropout
    images = np.random.default_rng(1).uniform(0, 1, (8, 8, 8, 1))
    penalty = float(model.r1_penalty(keras.ops.convert_to_tensor(images, "float32")))

    def verdicts(x):
        return np.asarray(model.discriminator(x.astype("float32"), training=False))[:, 0].astype(float)

    squared_slopes = []
    for image in images[:2]:  # a quarter of the eight
        # 1e-3 each way on one pixel at a time, all in one batch (with 1e-2, one initialisation was 2.5% off)
        steps = np.eye(image.size).reshape(image.size, *image.shape) * 1e-3
        slope = (verdicts(image + steps) - verdicts(image - steps)) / 2e-3
        squared_slopes.append(np.sum(slope**2))
    assert penalty > 0
    assert penalty == pytest.approx(0.5 * 3.0 * np.mean(squared_slopes), rel=0.01)
    with pytest.raises(ValueError, match="r1_gamma must be 0 or more"):
        GANConfig(r1_gamma=-1)


def test_diff_augment_keeps_shape_and_lets_gradients_through():
    import keras
    import tensorflow as tf

    from explorer.models.gan import diff_augment

    images = tf.ones((6, 16, 16, 3))
    rng = keras.random.SeedGenerator(0)
    with tf.GradientTape() as tape:
        tape.watch(images)
        augmented = diff_augment(images, "color,translation,cutout", rng)
        total = tf.reduce_sum(augmented)
    assert augmented.shape == images.shape
    assert float(tf.reduce_sum(tf.abs(tape.gradient(total, images)))) > 0
    cut = diff_augment(images, "cutout", rng).numpy()
    blank = (cut == 0).all(axis=-1).reshape(6, -1).sum(axis=1)  # blanked pixels per image
    assert ((blank > 0) & (blank <= 64)).all()  # one square of half the side, possibly clipped at an edge
    shifted = diff_augment(images, "translation", rng).numpy()
    assert set(np.unique(shifted)) <= {0.0, 1.0}  # pixels move; zeros fill in from the edge


def test_gan_training_resumes_with_its_timeline_and_can_be_extended_with_a_decaying_rate(
    tmp_path, digits_npz, monkeypatch, capsys
):
    from explorer.config import GANConfig, TrainConfig
    from explorer.training.data import load_dataset
    from explorer.training.gan import train_gan
    from explorer.training.vae import ResumeState

    data, out = load_dataset(str(digits_npz)), tmp_path / "gan"
    with monkeypatch.context() as patch:
        patch.setattr(ResumeState, "clear", lambda self: None)
        first = train_gan(data, GANConfig(**TINY_GAN), TrainConfig(epochs=1, batch_size=64), out)
    capsys.readouterr()
    # The finished one-epoch run goes on for two more, its rate falling after epoch 1.
    resumed = train_gan(data, GANConfig(**TINY_GAN), TrainConfig(epochs=3, batch_size=64, decay_from=1), out)
    assert "Resuming after epoch 1" in capsys.readouterr().out
    history = resumed["training"]["history"]
    assert history[0] == first["training"]["history"][0]
    rates = [record["learning_rate"] for record in history]  # read back from the optimizer
    assert rates == pytest.approx([1e-3, 1e-3, 0.5e-3])
    assert resumed["training"]["decay_from"] == 1
    timeline = ImageGenerator.from_folder(out).timeline()
    assert timeline["frames"].shape[0] == 3 and np.isfinite(timeline["verdicts"]).all()  # kept across the resume
    assert resumed["neighbours"]["images"] == 600 and "neighbours" in resumed["files"]


def test_keep_last_ships_the_last_epoch_and_records_the_lowest_fid(tmp_path, digits_npz, tiny_classifier):
    """FID in a small classifier's features can favour an epoch a person finds worse (emoji: epoch 35's
    speckles over epoch 100's faces): `keep="last"` ships the last epoch and says which had the lowest FID."""
    from explorer.config import GANConfig, TrainConfig
    from explorer.training.data import load_dataset
    from explorer.training.gan import train_gan

    out = tmp_path / "gan"
    manifest = train_gan(
        load_dataset(str(digits_npz)),
        GANConfig(**TINY_GAN),
        TrainConfig(epochs=6, batch_size=64),
        out,
        features_from=tiny_classifier,
        keep="last",
    )
    training = manifest["training"]
    fids = {epoch + 1: record["fid"] for epoch, record in enumerate(training["history"]) if "fid" in record}
    assert sorted(fids) == [5, 6]
    assert training["selected_by"] == "last epoch" and training["best_epoch"] == 6
    lowest = min(fids, key=fids.get)
    assert training["lowest_fid_during_training"] == {"epoch": lowest, "fid": fids[lowest]}
    model = ImageGenerator.from_folder(out)
    timeline = model.timeline()  # the last frame is what epoch 6's generator made of these latents
    shipped = model.generate(timeline["latents"]).astype(int)
    assert np.abs(shipped - timeline["frames"][-1].astype(int)).max() <= 2  # float16 weights


def test_cli_samples_and_evaluates_a_gan(tiny_gan, tmp_path, digits_npz):
    result = run_cli("sample", tiny_gan, "--n", 5, "--seed", 3, "--out", tmp_path / "s.npz")
    assert result.returncode == 0, result.stderr
    samples = np.load(tmp_path / "s.npz")["x"]
    assert samples.shape == (5, 8, 8, 1) and samples.dtype == np.uint8
    np.testing.assert_array_equal(
        samples,
        ImageGenerator.from_folder(tiny_gan).generate(
            np.random.default_rng(3).standard_normal((5, 4)).astype("float32")
        ),
    )
    assert run_cli("sample", tiny_gan, "--n", 4, "--out", tmp_path / "grid.png").returncode == 0
    assert (tmp_path / "grid.png").read_bytes()[:4] == b"\x89PNG"
    result = run_cli("sample", tiny_gan, "--out", tmp_path / "grid.jpg")
    assert result.returncode == 2 and "must end in .npz or .png" in result.stderr
    result = run_cli("evaluate", tiny_gan, "--data", digits_npz)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics["fid"] > 0 and metrics["samples"] == 300


def test_cli_explains_bad_gan_data(tmp_path, digits_npz):
    (tmp_path / "empty").mkdir()
    result = run_cli("train", "gan", "--data", tmp_path / "empty")
    assert result.returncode == 2 and "no readable images" in result.stderr
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "readme.txt").write_text("hello")
    (tmp_path / "junk" / "fake.png").write_bytes(b"not a png")
    result = run_cli("train", "gan", "--data", tmp_path / "junk")
    assert result.returncode == 2 and "no readable images (2 other files)" in result.stderr
    result = run_cli("train", "gan", "--data", digits_npz, "--generator-filters", "64,x")
    assert result.returncode == 2 and "comma-separated whole numbers" in result.stderr


def test_a_classifier_recipe_trains_the_feature_network(tmp_path, digits_npz):
    out = tmp_path / "classifier"
    recipe = write_recipe(
        tmp_path / "classifier.toml", kind="classifier", data=digits_npz, out=out, holdout=100, epochs=1
    )
    result = run_cli("train", "--recipe", recipe)
    assert result.returncode == 0, result.stderr[-2000:]
    checkpoint = read_checkpoint(out)
    assert checkpoint.config.classes == 10 and checkpoint.manifest["training"]["holdout"] == 100
    assert {"classifier", "features"} <= set(checkpoint.files)
    result = run_cli("train", "--recipe", recipe, "--latent-dim", 2)  # not an option a classifier takes
    assert result.returncode == 2 and "unrecognized arguments: --latent-dim" in result.stderr
