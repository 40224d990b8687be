"""Train a GAN and write its checkpoint folder.

    python -m explorer train --recipe recipes/mnist-gan.toml
    python -m explorer train gan --data my_images/ --features checkpoints/my-classifier

A GAN checkpoint holds generator.tflite, the GANSpace directions, the training timeline (what the
generator made of fixed latent vectors after each epoch, with the losses), and the training images
with their features for "nearest training images". Training is resumable like the VAE's: run the
same command again. Imports TensorFlow.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np

from explorer.checkpoint import new_manifest, read_checkpoint, save_arrays, write_manifest
from explorer.config import GANConfig, TrainConfig, to_dict
from explorer.training.data import Dataset, to_unit_float
from explorer.training.vae import ResumeState, keras_verbosity

TIMELINE_SAMPLES = 16  # fixed latent vectors whose images are kept after every epoch
TIMELINE_MAX_FRAMES = 60  # epochs kept in the shipped timeline (evenly spaced, always the last)
TIMELINE_JUDGED = 16  # real training images, and noise images, that every epoch's discriminator also scores
DIRECTION_SAMPLES = 5000  # z drawn to find the GANSpace directions
DIRECTIONS = 20  # directions shipped (at most the latent size)
FID_EVERY = 5  # epochs between FID checks during training (when a classifier is given)


class KerasGenerator:
    """The trained moving-average generator, with the served generator's interface, for metrics."""

    def __init__(self, model):
        self.model, self.latent_dim, self.classes = model.ema_generator, model.config.latent_dim, model.config.classes
        self.class_shares, self.class_parents = model.config.class_shares, model.config.class_parents

    def generate(self, z: np.ndarray, labels=None) -> np.ndarray:
        from explorer.images import to_uint8
        from explorer.maths.latent import with_classes

        return to_uint8(np.asarray(self.model(with_classes(z, labels, self.classes), training=False)))


def conditional_config(config: GANConfig, data: Dataset) -> GANConfig:
    """`config` made class-conditional on `data`'s labels, or a sentence saying why it cannot be."""
    from dataclasses import replace

    from explorer.training.data import DataError

    if data.y is None:
        raise DataError(
            f"--conditional needs labels, and {data.origin.get('source', 'the data')} has none: give "
            "an .npz with 'y' (or a text column 'category'), or a folder with one sub-folder per class."
        )
    classes = int(data.y.max()) + 1
    if classes < 2:
        raise DataError(f"--conditional needs at least two classes; {data.origin.get('source', 'the data')} has one.")
    names = data.label_names or [str(label) for label in range(classes)]
    # Asked for as often as the data has them: on emoji (60% "People & Body", 5 "Component") classes
    # drawn alike made D's task "spot the flag that is too common", and FID compared the wrong mixes.
    shares = np.bincount(data.y, minlength=classes) / len(data.y)
    return replace(
        config,
        classes=classes,
        class_names=tuple(names),
        class_parents=tuple(data.label_parents or ()),
        class_shares=tuple(np.round(shares, 6)),
    )


def train_gan(
    data: Dataset,
    config: GANConfig,
    train: TrainConfig,
    out: Path,
    features_from: Path | None = None,
    name: str | None = None,
    keep: str = "best-fid",
) -> dict:
    """Train a GAN on all of `data` and write the checkpoint folder `out`; returns the manifest.

    `keep` is the epoch that ships: "best-fid", the lowest FID during training (with `features_from`),
    or "last". On emoji the two differ: FID in the emoji classifier's features was lowest at epoch 35
    (2.0) while the samples were still speckled; the faces with eyes and mouths of the later epochs
    scored 2.9 to 4.0.
    """
    import keras

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if data.x.shape[1:] != config.image_shape:
        raise ValueError(f"Data images are {data.x.shape[1:]}, the model expects {config.image_shape}.")
    classifier_nets = _classifier_networks(features_from, config) if features_from else None
    keras.utils.set_random_seed(train.seed)
    model, dataset = _prepared_gan(data, config, train, classifier_nets)
    settings = {
        "model": to_dict(config),
        "data": data.origin,
        # How long, and when the rate decays, may change on resuming: a finished run can be extended.
        # (`shift` moves a VAE's images; a GAN's are moved by its DiffAugment policy.)
        "train": {k: v for k, v in to_dict(train).items() if k not in ("epochs", "patience", "decay_from", "shift")},
    }
    resume = ResumeState(out)
    state = resume.load(model, settings) or {
        "settings": settings,
        "epoch": 0,
        "history": [],
        "seconds": 0.0,
        "best_loss": float("inf"),
        "best_epoch": 0,
    }
    timeline = _Timeline.resumed(resume.folder / "timeline.npz", state["epoch"], data, config, train.seed)
    for epoch in range(state["epoch"], train.epochs):
        _train_epoch(model, dataset, epoch, train, state, timeline, classifier_nets, data.x)
        resume.save(model, state, state["best_epoch"] == epoch + 1 or classifier_nets is None)
        timeline.save()
    lowest = (
        {"epoch": state["best_epoch"], "fid": state["best_loss"]} if classifier_nets and state["best_epoch"] else None
    )
    ships_lowest = bool(lowest) and keep == "best-fid"
    if ships_lowest:
        model.load_weights(resume.folder / "best.weights.h5")  # the epoch with the best FID
    else:
        state["best_epoch"] = state["epoch"]
    selection = {
        "selected_by": "lowest FID during training" if ships_lowest else "last epoch",
        **({"lowest_fid_during_training": lowest} if lowest else {}),
    }
    manifest = _write_gan_checkpoint(model, data, train, out, state, timeline, features_from, name, selection)
    write_manifest(out, manifest)
    if classifier_nets:
        _measure_served(out, manifest, data, train.seed, classifier_nets, features_from)
    resume.clear()
    return manifest


def _prepared_gan(data: Dataset, config: GANConfig, train: TrainConfig, classifier_nets: dict | None):
    """A new GAN with the class tables and images it reads set, and the shuffled batches of `data`."""
    import tensorflow as tf

    images = to_unit_float(data.x)  # the batches', and the image-match term's targets
    tensors = (images, data.y.astype("int32")) if config.classes else images
    dataset = (
        tf.data.Dataset.from_tensor_slices(tensors)
        .shuffle(len(data.x), seed=train.seed)
        .batch(train.batch_size, drop_remainder=True)
    )
    model = new_gan(config, train.learning_rate, train.seed)
    if config.class_table:
        model.set_class_table(class_table(data, classifier_nets and classifier_nets["features"], config))
    if config.class_picture:
        model.set_class_pictures(class_pictures(data, config))
    if config.image_match:
        model.set_class_images(images, data.y)
    return model, dataset


class _Timeline:
    """What the generator made of fixed latent vectors after each epoch, and the discriminator's
    verdicts then; kept beside the resume state, so that a resumed run's timeline is whole."""

    def __init__(self, file: Path, frames: list, verdicts: list, z: np.ndarray, judged: dict):
        self.file, self.frames, self.verdicts, self.z, self.judged = file, frames, verdicts, z, judged

    @classmethod
    def resumed(cls, file: Path, epochs_done: int, data: Dataset, config: GANConfig, seed: int) -> _Timeline:
        saved = np.load(file) if epochs_done and file.is_file() else {}
        frames = list(saved["frames"]) if "frames" in saved else []
        # A run resumed from before verdicts were recorded has none for its first epochs: NaN, shown as such.
        verdicts = (
            list(saved["verdicts"]) if "verdicts" in saved else [np.full((3, TIMELINE_JUDGED), np.nan)] * len(frames)
        )
        z = np.random.default_rng(seed).standard_normal((TIMELINE_SAMPLES, config.latent_dim)).astype("float32")
        return cls(file, frames, verdicts, z, _judged_examples(data, config, seed))

    def add(self, model) -> None:
        self.frames.append(KerasGenerator(model).generate(self.z))
        self.verdicts.append(_verdicts(model, self.frames[-1], self.judged))

    def save(self) -> None:
        np.savez(self.file, frames=np.stack(self.frames), verdicts=np.stack(self.verdicts))


def _train_epoch(
    model, dataset, epoch: int, train: TrainConfig, state: dict, timeline, classifier_nets, real_images
) -> None:
    """One epoch at its rate, its losses and (every FID_EVERY epochs, with classifier_nets) FID in the history."""
    from explorer.maths.fid import evaluate_generator

    started = time.perf_counter()
    rate = train.rate_at(epoch)
    for optimizer in (model.d_optimizer, model.g_optimizer):
        optimizer.learning_rate.assign(rate)
    logs = model.fit(dataset, initial_epoch=epoch, epochs=epoch + 1, shuffle=False, verbose=keras_verbosity()).history
    record = {key: float(values[-1]) for key, values in logs.items()}
    record["learning_rate"] = float(model.g_optimizer.learning_rate)  # as the optimizer had it
    timeline.add(model)
    if classifier_nets and ((epoch + 1) % FID_EVERY == 0 or epoch + 1 == train.epochs):
        metrics = evaluate_generator(KerasGenerator(model), real_images=real_images, seed=train.seed, **classifier_nets)
        record["fid"] = metrics["fid"]
        print(f"epoch {epoch + 1}: FID {record['fid']:.2f}")
        if record["fid"] < state["best_loss"]:
            state["best_loss"], state["best_epoch"] = record["fid"], epoch + 1
    state["history"].append(record)
    state["seconds"] += time.perf_counter() - started
    state["epoch"] = epoch + 1


def _write_gan_checkpoint(
    model, data: Dataset, train: TrainConfig, out: Path, state, timeline, features_from, name, selection: dict
) -> dict:
    """The served files (generator, discriminator, directions, timeline, nearest images) and the manifest."""
    from explorer.training.export import export_discriminator, export_gan

    config = model.config
    model.save_weights(out / "model.weights.h5")
    files = {**export_gan(model, out), **export_discriminator(model, out), "weights": "model.weights.h5"}
    files.update(_write_directions(model, out, train.seed))
    files.update(
        _write_timeline(np.stack(timeline.frames), np.stack(timeline.verdicts), timeline.judged, timeline.z, out)
    )
    neighbours = _write_neighbours(data, out, features_from, labelled=bool(config.classes))
    files.update(neighbours.pop("files"))
    return new_manifest(
        name or out.name,
        f"{'Conditional GAN' if config.classes else 'GAN'}, {config.latent_dim}-d latent "
        f"({Path(data.origin.get('source', 'data')).stem}, {config.image_shape[0]}×{config.image_shape[1]})",
        config,
        train,
        state,
        data={
            **data.origin,
            "label_names": data.label_names,
            "split": "all images train the GAN; FID compares samples with half of them",
        },
        files=files,
        training={**selection, "train_images": len(data.x), "optimizer": "Adam, beta_1 0.5, both networks"},
        neighbours=neighbours,
    )


def _measure_served(
    out: Path, manifest: dict, data: Dataset, seed: int, classifier_nets: dict, features_from: Path
) -> None:
    """FID and the confident share of the served generator (LiteRT), into the manifest."""
    from explorer.maths.fid import evaluate_generator
    from explorer.serving.models import ImageGenerator

    served = ImageGenerator.from_folder(out)
    metrics = evaluate_generator(served, real_images=data.x, seed=seed + 1, **classifier_nets)
    manifest["metrics"] = {
        **metrics,
        "feature_network": shown_features(features_from),
        "measured_with": "LiteRT, python -m explorer evaluate",
    }
    write_manifest(out, manifest)
    print(json.dumps(manifest["metrics"]))


def new_gan(config: GANConfig, rate: float, seed: int, jit_compile: bool = False):
    """A GAN built and compiled for training: Adam with beta_1 0.5 for both networks. No XLA by default:
    on two cores a step is a quarter faster without it, and it compiles in half the time
    (`python -m tools bench --training`)."""
    import keras

    from explorer.models.gan import GAN

    model = GAN(config, seed=seed)
    model.compile(
        d_optimizer=keras.optimizers.Adam(rate, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(rate, beta_1=0.5),
        jit_compile=jit_compile,
    )
    model(np.zeros((1, config.input_dim), "float32"))
    return model


def class_table(data: Dataset, features, config: GANConfig) -> np.ndarray:
    """Each class's fixed vector (config.class_table wide): the mean of its images' classifier features,
    scaled to the length of a z as wide, then the mean of its images shrunk to a coarse grid (Lanczos),
    in [-1, 1]: what the class means and where its colours sit, so that a class of one image still says
    something. `features` is the classifier's features network that also measures FID (`_classifier_networks`)."""
    from explorer.training.data import DataError, resize_images

    if features is None:
        raise DataError("--class-table reads the classes through a classifier's features: give --features.")
    features = np.asarray(features(to_unit_float(data.x)))
    features /= np.linalg.norm(features, axis=1, keepdims=True) + 1e-8
    grid = config.class_grid
    if features.shape[1] + grid * grid * data.x.shape[-1] != config.class_table:
        raise DataError(f"A class table {config.class_table} wide is not the features and a {grid}x{grid} grid.")
    colours = to_unit_float(resize_images(data.x, grid)).reshape(len(data.x), -1) * 2 - 1
    table = np.zeros((config.classes, config.class_table), "float32")
    for label in range(config.classes):
        mine = data.y == label
        meaning = features[mine].mean(0)
        meaning *= np.sqrt(len(meaning)) / (np.linalg.norm(meaning) + 1e-8)
        table[label] = np.concatenate([meaning, colours[mine].mean(0)])
    return table


def class_pictures(data: Dataset, config: GANConfig) -> np.ndarray:
    """Each class's mean image shrunk to config.class_picture pixels a side (Lanczos), in [-1, 1],
    flattened: the picture the generator sees beside its feature maps."""
    from explorer.training.data import resize_images

    small = to_unit_float(resize_images(data.x, config.class_picture)).reshape(len(data.x), -1) * 2 - 1
    return np.stack([small[data.y == label].mean(0) for label in range(config.classes)]).astype("float32")


def shown_features(folder: Path) -> str:
    units = read_checkpoint(folder).config.feature_units
    return f"{Path(folder).name}: the {units}-unit 'features' layer of the project's classifier"


def _classifier_networks(folder: Path, config: GANConfig) -> dict:
    """The classifier checkpoint's networks and class names, as `evaluate_generator` takes them."""
    from explorer.serving.runtime import LiteModel

    checkpoint = read_checkpoint(folder)
    if checkpoint.config.image_shape != config.image_shape:
        raise ValueError(
            f"{folder} classifies {checkpoint.config.image_shape} images; the GAN makes {config.image_shape}."
        )
    return {
        "classifier": LiteModel(checkpoint.file("classifier")),
        "features": LiteModel(checkpoint.file("features")),
        "classifier_names": checkpoint.data.label_names and list(checkpoint.data.label_names),
    }


def _write_directions(model, out: Path, seed: int) -> dict:
    from explorer.maths.directions import principal_directions
    from explorer.maths.latent import with_classes
    from explorer.models.gan import seed_map_model

    latents = np.random.default_rng(seed).standard_normal((DIRECTION_SAMPLES, model.config.latent_dim))
    inputs = with_classes(latents, None, model.config.classes)  # each class alike: directions that hold for all
    activations = seed_map_model(model.ema_generator).predict(inputs, batch_size=500, verbose=0)
    directions = principal_directions(latents, activations, DIRECTIONS)
    np.savez(out / "directions.npz", vectors=directions.vectors, explained_variance=directions.explained_variance)
    return {"directions": "directions.npz"}


def _judged_examples(data: Dataset, config: GANConfig, seed: int) -> dict:
    """The fixed pictures every epoch's discriminator scores besides the timeline's samples: training
    images (with their classes, for a conditional D) and uniform noise."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(data.x), min(TIMELINE_JUDGED, len(data.x)), replace=False))
    noise = rng.integers(0, 256, (TIMELINE_JUDGED, *config.image_shape), dtype=np.uint8)
    labels = data.y[pick].astype(int) if config.classes else None
    return {"real": data.x[pick], "real_labels": labels, "noise": noise}


def _verdicts(model, samples: np.ndarray, judged: dict) -> np.ndarray:
    """This epoch's D: the probability it gives "real training image" for the timeline's samples, the
    fixed training images and the noise, (3, TIMELINE_JUDGED) (NaN where fewer images were judged)."""
    classes = model.config.classes
    in_turn = np.arange(TIMELINE_JUDGED) % max(classes, 1)  # the classes the timeline's z ask for, as with_classes
    rows = np.full((3, TIMELINE_JUDGED), np.nan)
    for row, (images, labels) in enumerate(
        ((samples, in_turn), (judged["real"], judged["real_labels"]), (judged["noise"], in_turn))
    ):
        x = np.asarray(images, "float32")[:TIMELINE_JUDGED] / 255.0
        inputs = [x, np.eye(classes, dtype="float32")[labels[: len(x)]]] if classes else x
        logits = np.asarray(model.discriminator(inputs, training=False))[:, 0]
        rows[row, : len(x)] = 1.0 / (1.0 + np.exp(-logits))
    return rows


def _write_timeline(frames: np.ndarray, verdicts: np.ndarray, judged: dict, latents: np.ndarray, out: Path) -> dict:
    keep = np.unique(np.linspace(0, len(frames) - 1, min(len(frames), TIMELINE_MAX_FRAMES)).round().astype(int))
    np.savez_compressed(
        out / "timeline.npz",
        frames=frames[keep],
        epochs=keep + 1,
        latents=latents,
        verdicts=verdicts[keep].astype("float32"),
        real=judged["real"],
        noise=judged["noise"],
    )
    return {"timeline": "timeline.npz"}


def _write_neighbours(data: Dataset, out: Path, features_from: Path | None, labelled: bool = False) -> dict:
    """The training images, for the page's nearest-image search (in pixels: is the sample a copy?),
    and the classifier (what it reads in a sample) with its features network (FID) beside them;
    `labelled`: their classes too, which a conditional discriminator is asked about on the page."""
    x = data.x
    if features_from:
        checkpoint = read_checkpoint(features_from)
        shutil.copyfile(checkpoint.file("features"), out / "features.tflite")
        shutil.copyfile(checkpoint.file("classifier"), out / "classifier.tflite")
        files = {"features": "features.tflite", "classifier": "classifier.tflite"}
        labels = checkpoint.data.label_names and list(checkpoint.data.label_names)
    else:
        files, labels = {}, None
    save_arrays(out / "neighbours.npz", x=x, **({"y": data.y.astype("int16")} if labelled else {}))
    files["neighbours"] = "neighbours.npz"
    return {"files": files, "images": len(x), "class_names": labels}
