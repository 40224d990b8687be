"""The class-conditional GAN (`train gan --conditional`): shapes, the class changes the picture,
training from the command function, and a sentence when the data has no labels."""

import numpy as np
import pytest

from explorer.maths.latent import with_classes
from tests.support.checkpoints import TINY_GAN, needs_tensorflow

pytestmark = needs_tensorflow


def test_with_classes_appends_one_hot_classes_in_turn_or_as_given():
    z = np.zeros((5, 2), "float32")
    spread = with_classes(z, None, 3)
    assert spread.shape == (5, 5) and spread[:, 2:].argmax(1).tolist() == [0, 1, 2, 0, 1]
    assert with_classes(z, 2, 3)[:, 2:].argmax(1).tolist() == [2] * 5
    np.testing.assert_array_equal(with_classes(z, None, 0), z)  # unconditional: z as it is


def test_conditional_networks_read_the_class():
    from explorer.config import GANConfig
    from explorer.models.gan import build_discriminator, build_generator

    config = GANConfig(
        image_shape=(8, 8, 1),
        latent_dim=4,
        generator_filters=(8, 8),
        discriminator_filters=(8,),
        classes=3,
        class_names=("a", "b", "c"),
    )
    generator, discriminator = build_generator(config), build_discriminator(config)
    assert generator.input_shape == (None, 7) and generator.output_shape == (None, 8, 8, 1)
    z = np.random.default_rng(0).standard_normal((1, 4)).astype("float32")
    images = [np.asarray(generator(with_classes(z, label, 3))) for label in range(3)]
    assert np.abs(images[0] - images[1]).max() > 1e-4, "the class changes the image"
    logits = [float(discriminator([images[0], np.eye(3, dtype="float32")[[label]]])[0, 0]) for label in range(3)]
    assert len(set(np.round(logits, 6))) > 1, "the class changes the verdict"


def test_a_class_table_makes_classes_that_look_alike_start_alike():
    """With `class_table` the one-hot class reaches G and D only through a fixed vector per class: two
    classes given the same vector are the same class to both networks, and the table never trains."""
    from explorer.config import GANConfig
    from explorer.models.gan import GAN

    config = GANConfig(**{**TINY_GAN, "classes": 3, "class_table": 5})
    model = GAN(config, seed=0)
    table = np.random.default_rng(0).standard_normal((3, 5)).astype("float32")
    table[1] = table[0]
    model.set_class_table(table)
    z = np.random.default_rng(1).standard_normal((1, 4)).astype("float32")
    images = [np.asarray(model.generator(with_classes(z, label, 3), training=False)) for label in range(3)]
    np.testing.assert_allclose(images[0], images[1], atol=1e-6)
    assert np.abs(images[0] - images[2]).max() > 1e-4
    logits = [float(model.discriminator([images[2], np.eye(3, dtype="float32")[[c]]])[0, 0]) for c in range(3)]
    assert logits[0] == pytest.approx(logits[1], abs=1e-6) and logits[0] != pytest.approx(logits[2], abs=1e-6)
    trainable = {id(w) for w in model.generator.trainable_weights + model.discriminator.trainable_weights}
    tables = [model.generator.get_layer("class_table").kernel, model.discriminator.get_layer("class_table").kernel]
    assert not any(id(kernel) in trainable for kernel in tables)
    with pytest.raises(ValueError, match="class_table needs a conditional GAN"):
        GANConfig(class_table=5)
    with pytest.raises(ValueError, match="class_grid 3 needs a class_table of its colours and images it divides"):
        GANConfig(**{**TINY_GAN, "classes": 2, "class_table": 12, "class_grid": 3})


@pytest.mark.parametrize("upsampling", ["nearest", "transposed"])
def test_a_class_picture_shows_the_generator_each_class_s_shapes(upsampling):
    """`class_picture`: G sees its class's small picture beside its feature maps, a fixed table that
    never trains and that D does not have. Two classes with one table vector part once their pictures
    differ, with either kind of upsampling."""
    from explorer.config import GANConfig
    from explorer.models.gan import CLASS_PICTURE, GAN

    config = {**TINY_GAN, "classes": 2, "class_table": 5, "class_picture": 4, "upsampling": upsampling}
    model = GAN(GANConfig(**config), seed=0)
    model.set_class_table(np.ones((2, 5), "float32"))
    z = np.random.default_rng(1).standard_normal((1, 4)).astype("float32")

    def drawn():
        return [np.asarray(model.generator(with_classes(z, label, 2), training=False)) for label in range(2)]

    np.testing.assert_allclose(*drawn(), atol=1e-6)  # no pictures yet: the two classes are one
    dark, light = -np.ones(16), np.ones(16)  # 4x4 pixels of one channel
    model.set_class_pictures(np.stack([dark, light]))
    assert np.abs(np.subtract(*drawn())).max() > 1e-4
    picture = model.ema_generator.get_layer(CLASS_PICTURE)
    assert not picture.trainable and picture.kernel.numpy()[1].tolist() == light.tolist()
    assert CLASS_PICTURE not in [layer.name for layer in model.discriminator.layers]
    # 24x24 images: maps of 12 and 24; a picture of 8 neither divides 12 nor is divided by it
    wrongs = (
        {"classes": 0},
        {"classes": 2, "class_picture": 3},
        {"classes": 2, "image_shape": (24, 24, 1), "class_picture": 8},
    )
    for wrong in wrongs:
        with pytest.raises(ValueError, match="class_picture must be 0, or for a conditional GAN a side"):
            GANConfig(**{**TINY_GAN, "class_picture": 4, **wrong})
    GANConfig(**{**TINY_GAN, "classes": 2, "image_shape": (24, 24, 1), "class_picture": 6})  # 6 divides 12 and 24


def test_a_class_table_is_made_on_the_configs_own_grid():
    """`training.gan.class_table` lays the colours on `class_grid` (3 features + 2x2 grey here) and
    refuses a width that is not the features and that grid, rather than guessing another grid."""
    from explorer.config import GANConfig
    from explorer.training.data import DataError, Dataset
    from explorer.training.gan import class_table

    images = np.zeros((2, 8, 8, 1), "uint8")
    images[1, :4] = 255  # class 1: white above, black below
    data, features = Dataset(x=images, y=np.array([0, 1])), lambda x: np.ones((len(x), 3), "float32")
    table = class_table(data, features, GANConfig(**{**TINY_GAN, "classes": 2, "class_table": 7, "class_grid": 2}))
    np.testing.assert_allclose(table[:, :3], 1.0, atol=1e-5)  # unit features, scaled to length sqrt(3)
    assert (table[1, 3:5] > 0.7).all() and (table[1, 5:] < -0.7).all()  # top cells light, bottom dark (Lanczos)
    np.testing.assert_allclose(table[0, 3:], -1.0, atol=1e-5)
    with pytest.raises(DataError, match="not the features and a 1x1 grid"):
        class_table(data, features, GANConfig(**{**TINY_GAN, "classes": 2, "class_table": 7, "class_grid": 1}))


def test_image_match_charges_a_sample_by_the_nearest_image_of_its_class():
    """`image_match`: G pays the mean |sample - the nearest training image of its class|: nothing for
    any one of its class's images (the seed may pick which), the distance to the nearer one otherwise,
    and another class's image costs what it differs from this class's."""
    from explorer.config import GANConfig
    from explorer.models.gan import GAN

    config = GANConfig(**{**TINY_GAN, "classes": 3, "image_match": 1.0})
    model = GAN(config, seed=0)
    images = np.stack([np.full((8, 8, 1), grey, "float32") for grey in (0.0, 0.2, 0.9, 1.0)])
    model.set_class_images(images, np.array([0, 1, 1, 2]))  # class 1 has two images, 0.2 and 0.9 grey
    inputs = with_classes(np.zeros((2, 4), "float32"), 1, 3)
    assert float(model.image_mismatch(inputs, images[[1, 2]])) == pytest.approx(0.0, abs=1e-6)
    assert float(model.image_mismatch(inputs[:1], np.full((1, 8, 8, 1), 0.3, "float32"))) == pytest.approx(0.1)
    assert float(model.image_mismatch(inputs[:1], images[[3]])) == pytest.approx(0.1)  # white: 0.9 is nearer
    assert float(model.image_mismatch(with_classes(np.zeros((1, 4), "float32"), 0, 3), images[[3]])) == 1.0
    with pytest.raises(ValueError, match="image_match must be 0, or more for a conditional GAN"):
        GANConfig(**{**TINY_GAN, "image_match": 1.0})


def test_mode_seeking_charges_a_generator_that_ignores_z():
    """MSGAN's term is 1 / (image change per z change) for one class and two seeds: a generator that
    draws the same picture for every z pays about 1e5, one that follows z pays little."""
    import keras

    from explorer.config import GANConfig
    from explorer.models.gan import GAN

    model = GAN(GANConfig(**{**TINY_GAN, "classes": 3, "mode_seeking": 1.0}), seed=0)
    inputs = keras.ops.convert_to_tensor(with_classes(np.random.default_rng(0).standard_normal((16, 4)), 1, 3))
    following = float(model.mode_seeking_penalty(inputs, model.generator(inputs, training=True)))
    seed_map = next(layer for layer in model.generator.layers if isinstance(layer, keras.layers.Dense))  # z, class in
    kernel, bias = seed_map.get_weights()
    kernel[:4] = 0  # z's rows: now only the class reaches the picture
    seed_map.set_weights([kernel, bias])
    ignoring = float(model.mode_seeking_penalty(inputs, model.generator(inputs, training=True)))
    assert 0 < following < 1e3 and ignoring > 1e4


def test_class_options_without_conditional_get_a_sentence(tmp_path, digits_npz, capsys):
    from explorer.__main__ import main

    command = ["train", "gan", "--data", str(digits_npz), "--epochs", "1", "--out", str(tmp_path)]
    for option, value in [("--default-class", "7"), ("--image-match", "10"), ("--class-picture", "4")]:
        assert main([*command, option, value]) == 2
        assert f"{option} needs --conditional" in capsys.readouterr().err
    assert main([*command, "--class-table", "2"]) == 2
    assert "--class-table needs --conditional" in capsys.readouterr().err
    assert not (tmp_path / "manifest.json").exists()


def test_train_gan_conditional_writes_a_served_class_picker(tmp_path, digits_npz, tiny_classifier):
    from explorer.__main__ import main
    from explorer.checkpoint import read_checkpoint
    from explorer.serving.models import ImageGenerator

    out = tmp_path / "cgan"
    recipe = tmp_path / "tiny-cgan.toml"
    recipe.write_text(
        f"""kind = "gan"
data = "{digits_npz.as_posix()}"
out = "{out.as_posix()}"
features = "{tiny_classifier.as_posix()}"
conditional = true
latent_dim = 4
generator_filters = [16, 8]
discriminator_filters = [8, 16]
discriminator_convs = 2
epochs = 1
"""
    )
    assert main(["train", "--recipe", str(recipe)]) == 0
    model = ImageGenerator.from_folder(out)
    assert model.conditional and model.class_names == [str(d) for d in range(10)]
    config = read_checkpoint(out).config
    assert config.discriminator_convs == 2
    assert read_checkpoint(out).manifest["recipe"] == {"file": recipe.as_posix(), "text": recipe.read_text()}
    labels = np.load(digits_npz)["y"]
    assert config.class_shares == pytest.approx(np.bincount(labels) / len(labels), abs=1e-6)
    assert model.default_class == str(np.bincount(labels).argmax())  # the page opens on the commonest class
    # The training images keep their classes: the Discriminator tab asks D about each one's own.
    np.testing.assert_array_equal(model.training_images.classes_of(np.arange(len(labels))), labels)
    z = np.zeros((1, 4), "float32")
    assert model.generate(z, 3).shape == (1, 8, 8, 1)
    assert not np.array_equal(model.generate(z, 3), model.generate(z, 7))
    # Its discriminator asks "a real 3?" for every class in one pass: the projection, as Keras has it.
    import keras

    from explorer.models.loading import load_keras_model

    discriminator = load_keras_model(read_checkpoint(out)).discriminator
    images = np.random.default_rng(0).integers(0, 256, (3, 8, 8, 1), dtype=np.uint8)
    for label in (3, 7):
        one_hot = np.eye(10, dtype="float32")[[label] * 3]
        expected = keras.ops.convert_to_numpy(keras.ops.sigmoid(discriminator([images / 255.0, one_hot])))[:, 0]
        np.testing.assert_allclose(model.verdict(images, label), expected, atol=1e-3)
    assert model.discriminator(images.astype("float32") / 255).shape == (3, 10)
    # The timeline's verdicts asked each picture about its own class: the real images about their labels.
    timeline, labels = model.timeline(), np.arange(16) % 10
    np.testing.assert_allclose(timeline["verdicts"][-1, 0], model.verdict(timeline["frames"][-1], labels), atol=2e-3)
    np.testing.assert_allclose(timeline["verdicts"][-1, 2], model.verdict(timeline["noise"], labels), atol=2e-3)


def test_train_gan_with_a_class_table_reads_each_class_through_its_images(
    tmp_path, digits_npz, tiny_classifier, capsys
):
    """`--class-table 2`: each digit's vector is its images' mean features in the classifier (16 units)
    and their mean grey on a 2x2 grid; the served D still asks "a real 3?" for every class at once."""
    import keras

    from explorer.__main__ import main
    from explorer.checkpoint import read_checkpoint
    from explorer.models.loading import load_keras_model
    from explorer.serving.models import ImageGenerator
    from explorer.training.data import resize_images

    command = ["train", "gan", "--data", str(digits_npz), "--conditional", "--class-table", "2", "--epochs", "1"]
    tiny = ["--latent-dim", "4", "--generator-filters", "16,8", "--discriminator-filters", "8,16"]
    assert main([*command, *tiny, "--out", str(tmp_path / "never")]) == 2
    assert "give --features" in capsys.readouterr().err
    out = tmp_path / "table"
    assert main([*command, *tiny, "--features", str(tiny_classifier), "--default-class", "x", "--out", str(out)]) == 2
    assert "default_class 'x' is not one of the classes" in capsys.readouterr().err
    with_seeds = ["--mode-seeking", "0.1", "--default-class", "8", "--image-match", "5", "--class-picture", "4"]
    assert main([*command, *tiny, *with_seeds, "--features", str(tiny_classifier), "--out", str(out)]) == 0
    checkpoint = read_checkpoint(out)
    assert checkpoint.config.class_table == 16 + 2 * 2 and checkpoint.config.mode_seeking == 0.1
    assert checkpoint.config.class_grid == 2 and checkpoint.config.image_match == 5.0  # trained with, recorded
    assert checkpoint.config.class_picture == 4
    gan = load_keras_model(checkpoint)
    table = gan.ema_generator.get_layer("class_table").kernel.numpy()
    digits = np.load(digits_npz)
    threes = digits["x"][digits["y"] == 3].reshape(-1, 8, 8).astype("float32") / 255
    shrunk = resize_images(digits["x"][digits["y"] == 3].reshape(-1, 8, 8, 1), 2).astype("float32") / 255
    np.testing.assert_allclose(table[3, 16:], shrunk.mean(0).ravel() * 2 - 1, atol=1e-5)  # top left, top right ...
    quarters = threes.reshape(-1, 2, 4, 2, 4).mean((0, 2, 4)).ravel() * 2 - 1  # about each quarter's mean grey
    np.testing.assert_allclose(table[3, 16:], quarters, atol=0.15)
    assert np.linalg.norm(table[3, :16]) == pytest.approx(4.0, rel=1e-3)  # a 16-wide z's typical length
    picture = gan.ema_generator.get_layer("class_picture").kernel.numpy()  # the threes' mean at 4x4
    small = resize_images(digits["x"][digits["y"] == 3].reshape(-1, 8, 8, 1), 4).astype("float32") / 255
    np.testing.assert_allclose(picture[3], small.mean(0).ravel() * 2 - 1, atol=1e-5)
    model = ImageGenerator.from_folder(out)
    assert model.default_class == "8"  # the page opens on the class chosen, not the commonest
    images = np.random.default_rng(0).integers(0, 256, (3, 8, 8, 1), dtype=np.uint8)
    for label in (3, 7):
        one_hot = np.eye(10, dtype="float32")[[label] * 3]
        expected = keras.ops.convert_to_numpy(keras.ops.sigmoid(gan.discriminator([images / 255.0, one_hot])))[:, 0]
        np.testing.assert_allclose(model.verdict(images, label), expected, atol=1e-3)
    assert not np.array_equal(model.generate(np.zeros((1, 4), "float32"), 3), model.generate(np.zeros((1, 4)), 7))
    z = np.random.default_rng(2).standard_normal((2, 4)).astype("float32")  # served G = Keras G, picture and all
    expected = np.asarray(gan.ema_generator(with_classes(z, 3, 10), training=False)) * 255
    assert np.abs(model.generate(z, 3).astype("float32") - expected).max() <= 2.0


def test_conditional_without_labels_gets_a_sentence(tmp_path, capsys):
    from explorer.__main__ import main

    unlabelled = tmp_path / "unlabelled.npz"
    np.savez(unlabelled, x=np.zeros((20, 8, 8), np.uint8))
    assert (
        main(
            [
                "train",
                "gan",
                "--data",
                str(unlabelled),
                "--conditional",
                "--epochs",
                "1",
                "--out",
                str(tmp_path / "never"),
            ]
        )
        == 2
    )
    assert "--conditional needs labels" in capsys.readouterr().err
    folder = tmp_path / "flat"
    folder.mkdir()
    from PIL import Image

    for index in range(3):
        Image.new("L", (8, 8), index * 50).save(folder / f"{index}.png")
    assert (
        main(
            ["train", "gan", "--data", str(folder), "--conditional", "--epochs", "1", "--out", str(tmp_path / "never")]
        )
        == 2
    )
    assert "one sub-folder per class" in capsys.readouterr().err


def test_classes_are_asked_for_as_often_as_the_data_has_them():
    """Emoji are 60% "People & Body" and 0.15% "Component": training draws G's classes with the data's
    odds, and evaluation compares samples made with those odds against the real mix."""
    from explorer.config import GANConfig
    from explorer.maths.fid import evaluate_generator
    from explorer.models.gan import GAN
    from explorer.training.data import Dataset
    from explorer.training.gan import conditional_config

    y = np.array([0] * 90 + [1] * 10 + [2] * 0 + [3] * 20)
    data = Dataset(np.zeros((120, 8, 8, 1), np.uint8), y, {"source": "made.npz"}, ["a", "b", "c", "d"])
    config = conditional_config(GANConfig(image_shape=(8, 8, 1), latent_dim=4, generator_filters=(8, 8)), data)
    assert config.class_shares == pytest.approx((0.75, 1 / 12, 0.0, 1 / 6), abs=1e-6)
    assert config.class_parents == ()  # the data's own classes
    data.label_parents = ["A", "A", "B", "B"]  # finer classes, like emoji subcategories: their categories go along
    assert conditional_config(config, data).class_parents == ("A", "A", "B", "B")

    _, one_hot = GAN(config, seed=0)._random_inputs(6000)
    drawn = np.bincount(np.asarray(one_hot).argmax(1), minlength=4) / 6000
    np.testing.assert_allclose(drawn, config.class_shares, atol=0.02)

    class Recording:  # a served generator that remembers which classes it was asked for
        latent_dim, class_names, class_shares, asked = 4, ["a", "b", "c", "d"], config.class_shares, []

        def generate(self, z, labels=None):
            self.asked.extend(labels)
            return np.zeros((len(z), 8, 8, 1), np.uint8)

    generator = Recording()
    flat = lambda x: np.tile(np.eye(4, dtype="float32")[0], (len(x), 1))  # noqa: E731 - reads everything as "a"
    metrics = evaluate_generator(generator, flat, flat, np.zeros((4000, 8, 8, 1), np.uint8))
    asked = np.bincount(generator.asked, minlength=4) / len(generator.asked)
    np.testing.assert_allclose(asked, config.class_shares, atol=0.03)
    assert metrics["asked_class_read"] == pytest.approx(asked[0])  # only the "a" samples read as asked


def test_sample_draws_a_conditional_gans_classes_as_its_data_has_them(tmp_path):
    """`sample` shows the model as a whole: 1,743 emoji classes in turn would be 64 of the first
    category's; by default the classes come with the data's odds, or one named, or each in turn."""
    from explorer.checkpoint import SHIPPED_CHECKPOINTS
    from tests.support.cli import run_cli

    cgan = SHIPPED_CHECKPOINTS / "mnist-cgan"
    assert run_cli("sample", cgan, "--n", 300, "--seed", 4, "--out", tmp_path / "a.npz").returncode == 0
    drawn = np.load(tmp_path / "a.npz")["y"]
    assert set(drawn) == set(range(10)) and not np.array_equal(drawn, np.arange(300) % 10)
    assert run_cli("sample", cgan, "--n", 300, "--seed", 4, "--out", tmp_path / "b.npz").returncode == 0
    np.testing.assert_array_equal(np.load(tmp_path / "b.npz")["y"], drawn)  # seeded
    assert run_cli("sample", cgan, "--n", 5, "--class", "7", "--out", tmp_path / "sevens.npz").returncode == 0
    sevens = np.load(tmp_path / "sevens.npz")
    assert sevens["y"].tolist() == [7] * 5
    assert run_cli("sample", cgan, "--n", 12, "--class", "each", "--out", tmp_path / "each.npz").returncode == 0
    assert np.load(tmp_path / "each.npz")["y"].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    result = run_cli("sample", cgan, "--class", "unicorn", "--out", tmp_path / "never.npz")
    assert result.returncode == 2 and "makes no class 'unicorn'" in result.stderr
    result = run_cli("sample", SHIPPED_CHECKPOINTS / "mnist-gan", "--class", "7", "--out", tmp_path / "never.npz")
    assert result.returncode == 2 and "--class needs a conditional GAN" in result.stderr
