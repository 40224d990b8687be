"""Command line: `python -m explorer train|evaluate|sample|embed|export ...` (see `--help` of each)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from explorer.config import TRAINING_DEFAULTS, CharRNNConfig, GANConfig, VAEConfig

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the output


def _defaults(setting: str) -> str:
    """`train`'s default of one training setting, per kind, for the help text: "vae/ae 60; gan 100"."""
    kinds_of = {}
    for kind, defaults in TRAINING_DEFAULTS.items():
        kinds_of.setdefault(getattr(defaults, setting), []).append(kind)
    return "default " + "; ".join(f"{'/'.join(kinds)} {value:g}" for value, kinds in kinds_of.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model and write its checkpoint folder")
    train.add_argument("kind", choices=list(TRAINING_DEFAULTS))
    train.add_argument(
        "--data",
        required=True,
        help="mnist, fashion_mnist, an .npz with x (and y), an image folder; charrnn: a UTF-8 .txt file",
    )
    train.add_argument(
        "--latent-dim",
        type=int,
        default=None,
        help=f"size of z (default vae/ae {VAEConfig.latent_dim}; gan {GANConfig.latent_dim})",
    )
    train.add_argument("--epochs", type=int, default=None, help=_defaults("epochs"))
    train.add_argument("--learning-rate", type=float, default=None, help=f"Adam's ({_defaults('learning_rate')})")
    train.add_argument(
        "--features", type=Path, default=None, help="GAN: a classifier checkpoint for FID and nearest training images"
    )
    train.add_argument("--generator-filters", default=None, help="GAN: comma-separated channels, e.g. 256,128,64,32")
    train.add_argument("--discriminator-filters", default=None, help="GAN: comma-separated channels, e.g. 64,128,256")
    train.add_argument(
        "--augment",
        default=None,
        help="GAN: DiffAugment policy (default translation,cutout for "
        "grey images, color,translation,cutout for colour)",
    )
    train.add_argument(
        "--upsampling",
        choices=["nearest", "transposed"],
        default="nearest",
        help="GAN generator: nearest-neighbour 2x + 3x3 conv (default) or 4x4 transposed convs",
    )
    train.add_argument(
        "--batch-norm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="GAN generator: batch normalisation after each conv (default on)",
    )
    train.add_argument(
        "--loss",
        choices=["bce", "hinge"],
        default="bce",
        help="GAN: DCGAN's non-saturating cross-entropy (default) or SNGAN's hinge loss",
    )
    train.add_argument(
        "--spectral-norm",
        action="store_true",
        help="GAN discriminator: spectral normalisation of every weight",
    )
    train.add_argument(
        "--generator-convs",
        type=int,
        default=1,
        help="GAN generator: convolutions per resolution (default 1; 2 adds a 3x3 one after each upsampling)",
    )
    train.add_argument(
        "--class-norm",
        action="store_true",
        help="conditional GAN generator: the class also scales and shifts each batch norm (conditional batch norm)",
    )
    train.add_argument(
        "--class-table",
        type=int,
        default=0,
        metavar="GRID",
        help="conditional GAN: G and D read each class through a fixed vector, its images' mean features in "
        "--features' classifier and their mean colours on a GRID x GRID grid (for many classes of few images)",
    )
    train.add_argument(
        "--class-learnt",
        type=int,
        default=0,
        metavar="WIDTH",
        help="with --class-table: G and D also learn a vector this wide per class, so that a class of one "
        "image is more than its table's features and colours",
    )
    train.add_argument(
        "--colour-match",
        type=float,
        default=0.0,
        metavar="WEIGHT",
        help="with --class-table: G also pays WEIGHT times how far its sample, averaged onto the GRID x GRID "
        "grid, is from its class's colours there (default 0: not at all)",
    )
    train.add_argument(
        "--image-match",
        type=float,
        default=0.0,
        metavar="WEIGHT",
        help="conditional GAN: G also pays WEIGHT x the mean |its sample - the nearest training image of its class| "
        "(pixels in [0, 1]), so a class is drawn as its images are",
    )
    train.add_argument(
        "--edge-match",
        type=float,
        default=0.0,
        metavar="WEIGHT",
        help="with --image-match: that distance also counts WEIGHT x the mean |the sample's edges - the image's "
        "edges| (differences of neighbouring pixels), so thin lines on white are drawn too",
    )
    train.add_argument(
        "--class-picture",
        type=int,
        default=0,
        metavar="SIDE",
        help="conditional GAN: G also sees its class's mean image at SIDE x SIDE pixels beside its feature maps "
        "at every scale, so that a class of one image has its shapes to start from (default 0: not at all)",
    )
    train.add_argument(
        "--discriminator-convs",
        type=int,
        default=1,
        help="GAN discriminator: convolutions per resolution (default 1; 2 adds a 3x3 one before each stride-2)",
    )
    train.add_argument(
        "--r1",
        type=float,
        default=0.0,
        metavar="GAMMA",
        help="GAN discriminator: R1 penalty weight on its slope at real images (default 0: none)",
    )
    train.add_argument(
        "--default-class",
        default="",
        metavar="NAME",
        help="conditional GAN: the class its page opens on (default: the one the data has most of)",
    )
    train.add_argument(
        "--mode-seeking",
        type=float,
        default=0.0,
        metavar="WEIGHT",
        help="GAN generator: MSGAN's term, so that two seeds of one class differ (default 0: none; 1 as in the paper)",
    )
    train.add_argument(
        "--keep",
        choices=["best-fid", "last"],
        default="best-fid",
        help="GAN: the epoch that ships: the lowest FID (checked every 5 epochs; default) or the last",
    )
    train.add_argument(
        "--decay-from",
        type=int,
        default=None,
        help="after this many epochs the learning rate falls linearly to zero at the last "
        "(default: constant; a run can be extended with it: rerun its command with more --epochs)",
    )
    train.add_argument(
        "--shift",
        type=int,
        default=None,
        help="VAE/AE: move each training image by up to this many pixels across and down, anew every "
        "epoch (default 0); held-out images are never moved",
    )
    train.add_argument(
        "--conditional",
        action="store_true",
        help="GAN: class-conditional on the data's labels (an .npz's y or category, or sub-folders)",
    )
    train.add_argument(
        "--labels",
        default=None,
        metavar="COLUMN",
        help="the .npz column that labels the images (default y, else category; emoji: subcategory)",
    )
    train.add_argument(
        "--min-class-images",
        type=int,
        default=0,
        help="with --labels: a class with fewer images falls back to its category (emoji subcategories: 30)",
    )
    train.add_argument(
        "--embed",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="VAE: afterwards, ship every image's latent mean and default projections (see embed)",
    )
    train.add_argument(
        "--units", type=int, default=None, help=f"charrnn: GRU state size (default {CharRNNConfig.units})"
    )
    train.add_argument(
        "--seq-len",
        type=int,
        default=None,
        help=f"charrnn: characters per training sequence (default {CharRNNConfig.seq_len})",
    )
    train.add_argument("--seed", type=int, default=None, help=_defaults("seed"))
    train.add_argument("--image-size", type=int, default=None, help="resize images to this square size")
    train.add_argument(
        "--holdout", type=int, default=None, help=f"images held out for metrics ({_defaults('holdout')})"
    )
    train.add_argument("--hidden-units", type=int, default=None, help=f"VAE/AE (default {VAEConfig.hidden_units})")
    train.add_argument(
        "--filters",
        default=None,
        help=f"VAE/AE: comma-separated conv channels (default {','.join(map(str, VAEConfig.filters))})",
    )
    train.add_argument(
        "--beta", type=float, default=None, help=f"VAE: KL weight (default {VAEConfig.beta:g}, the true ELBO)"
    )
    train.add_argument(
        "--likelihood",
        choices=["bernoulli", "gaussian"],
        default=None,
        help="VAE/AE: p(x | z) (default bernoulli for grey images, gaussian for colour)",
    )
    train.add_argument("--batch-size", type=int, default=None, help=_defaults("batch_size"))
    train.add_argument("--out", type=Path, default=None, help="checkpoint folder (default checkpoints/DATA-KIND-Nd)")

    evaluate = commands.add_parser("evaluate", help="print held-out metrics of a checkpoint as JSON")
    evaluate.add_argument("checkpoint", type=Path)
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--max-chars", type=int, default=50_000, help="charrnn: characters scored")

    sample = commands.add_parser("sample", help="write GAN or VAE samples as .npz (x uint8) or a .png grid")
    sample.add_argument("checkpoint", type=Path)
    sample.add_argument("--n", type=int, default=64)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--truncation", type=float, default=1.0, help="ψ: 1 = no truncation, smaller = nearer the mean")
    sample.add_argument(
        "--out",
        type=Path,
        required=True,
        help="a .npz (x, z; for a conditional GAN also y, the class each sample was asked for) or a .png grid",
    )
    sample.add_argument(
        "--class",
        dest="class_name",
        help="a conditional GAN's class for every sample, or 'each' for the classes in turn "
        "(default: drawn as often as the training data has them)",
    )
    sample.add_argument("--zoom", type=int, default=1, help=".png: enlarge every pixel to a zoom × zoom block")

    embed = commands.add_parser(
        "embed",
        help="ship a VAE's latent means and default projections for the Projector "
        "(or, without --data, the projections of an embedding a checkpoint already ships)",
    )
    embed.add_argument("checkpoint", type=Path)
    embed.add_argument("--data", help="a VAE's images to embed, as for train (all of them are used)")

    export = commands.add_parser("export", help="rewrite a checkpoint's .tflite files from its Keras weights")
    export.add_argument("checkpoint", type=Path)

    args = parser.parse_args(argv)
    from explorer.checkpoint import CheckpointError
    from explorer.training.data import DataError

    try:
        if args.command == "train":
            return run_train(args)
        if args.command == "evaluate":
            return run_evaluate(args)
        if args.command == "export":
            return run_export(args)
        if args.command == "embed":
            return run_embed(args)
        return run_sample(args)
    except (CheckpointError, DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def run_train(args) -> int:
    from explorer.config import training_config
    from explorer.training.data import load_dataset

    train = training_config(
        args.kind,
        epochs=args.epochs,
        seed=args.seed,
        holdout=args.holdout,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        decay_from=args.decay_from,
        shift=args.shift,
    )
    if args.kind == "charrnn":
        return run_train_charrnn(args, train)
    data = load_dataset(args.data, args.image_size, args.labels, args.min_class_images)
    name = f"{Path(args.data).stem}-{args.kind}"
    size, channels = data.x.shape[1], data.x.shape[-1]
    if args.kind == "gan":
        from explorer.config import default_generator_filters
        from explorer.training.gan import train_gan

        config = GANConfig(
            image_shape=data.x.shape[1:],
            **_given(latent_dim=args.latent_dim),
            generator_filters=_channels(args.generator_filters) or default_generator_filters(size),
            discriminator_filters=_channels(args.discriminator_filters) or (64, 128, 256)[: 2 + (size > 28)],
            augment=args.augment
            if args.augment is not None
            else ("translation,cutout" if channels == 1 else "color,translation,cutout"),
            upsampling=args.upsampling,
            batch_norm=args.batch_norm,
            loss=args.loss,
            spectral_norm=args.spectral_norm,
            generator_convs=args.generator_convs,
            discriminator_convs=args.discriminator_convs,
            r1_gamma=args.r1,
            mode_seeking=args.mode_seeking,
        )
        if args.conditional:
            from dataclasses import replace

            from explorer.training.gan import conditional_config

            config = replace(
                conditional_config(config, data),
                class_norm=args.class_norm,
                image_match=args.image_match,
                edge_match=args.edge_match,
                class_picture=args.class_picture,
            )
            if args.default_class:
                config = replace(config, default_class=args.default_class)
            if args.class_table:
                from explorer.checkpoint import read_checkpoint

                units = read_checkpoint(args.features).config.feature_units if args.features else 0
                grid = args.class_table
                config = replace(
                    config,
                    class_table=units + grid**2 * channels,
                    class_grid=grid,
                    colour_match=args.colour_match,
                    class_learnt=args.class_learnt,
                )
            elif args.colour_match or args.class_learnt:
                option = "--colour-match compares with" if args.colour_match else "--class-learnt goes beside"
                raise ValueError(f"{option} the class table: give --class-table GRID too.")
        else:
            of_a_class = {
                "--class-norm": args.class_norm,
                "--default-class": args.default_class,
                "--colour-match": args.colour_match,
                "--image-match": args.image_match,
                "--edge-match": args.edge_match,
                "--class-learnt": args.class_learnt,
                "--class-picture": args.class_picture,
            }
            given = [option for option, value in of_a_class.items() if value]
            if given:
                raise ValueError(f"{given[0]} needs --conditional: an unconditional generator has no class to read.")
        out = args.out or Path("checkpoints") / name
        train_gan(data, config, train, out, features_from=args.features, keep=args.keep)
    elif args.kind == "classifier":
        from explorer.config import ClassifierConfig
        from explorer.training.gan import train_classifier

        config = ClassifierConfig(
            image_shape=data.x.shape[1:], classes=int(data.y.max()) + 1 if data.y is not None else 0
        )
        out = args.out or Path("checkpoints") / name
        train_classifier(data, config, train, out)
    else:
        from explorer.training.vae import train_vae

        model_config = VAEConfig(
            kind=args.kind,
            image_shape=data.x.shape[1:],
            **_given(
                latent_dim=args.latent_dim,
                hidden_units=args.hidden_units,
                filters=_channels(args.filters),
                beta=args.beta,
            ),
            likelihood=args.likelihood or ("bernoulli" if channels == 1 else "gaussian"),
        )
        out = args.out or Path("checkpoints") / f"{name}-{model_config.latent_dim}d"
        train_vae(data, model_config, train, out)
        if args.kind == "vae" and args.embed:
            from explorer.training.embed import write_embedding

            write_embedding(out, data)
    print(f"Wrote {out}")
    return 0


def run_train_charrnn(args, train) -> int:
    from explorer.training.text import read_text, train_charrnn

    config = CharRNNConfig(**_given(units=args.units, seq_len=args.seq_len))
    if config.units < 1 or config.seq_len < 2:
        raise ValueError("--units must be at least 1 and --seq-len at least 2.")
    text, origin = read_text(args.data)
    out = args.out or Path("checkpoints") / f"{Path(args.data).stem}-charrnn"
    train_charrnn(text, origin, config, train, out)
    print(f"Wrote {out}")
    return 0


def _given(**settings) -> dict:
    """The settings the command line gave: the rest keep their config's default."""
    return {key: value for key, value in settings.items() if value is not None}


def run_evaluate_text(checkpoint, args) -> int:
    """Held-out nats and bits per character through the served step; the training file's own held-out tail."""
    from explorer.serving.models import CharModel
    from explorer.serving.text_generation import heldout_loss
    from explorer.training.text import read_text, split_text

    model = CharModel(checkpoint)
    text, origin = read_text(args.data)
    known = "".join(c for c in text if c in model.vocabulary.index)
    ids = model.vocabulary.encode(known)
    same_file = origin["sha256"] == checkpoint.data.sha256
    scored = split_text(ids)[1] if same_file else ids
    metrics = heldout_loss(model, scored[: args.max_chars + 1])
    metrics["text"] = ("the held-out tail of the training text" if same_file else "the whole file") + (
        f", dropping {len(text) - len(known):,} characters outside the vocabulary" if len(known) < len(text) else ""
    )
    print(json.dumps(metrics))
    return 0


def _channels(text: str | None) -> tuple | None:
    if not text:
        return None
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"Channels must be comma-separated whole numbers like 128,64,32, not {text!r}.") from None


def run_evaluate(args) -> int:
    from explorer.checkpoint import read_checkpoint
    from explorer.training.data import load_dataset

    checkpoint = read_checkpoint(args.checkpoint)
    if checkpoint.kind == "charrnn":
        return run_evaluate_text(checkpoint, args)
    model = _served_model(checkpoint)
    data = load_dataset(args.data, model.image_shape[0])
    if data.x.shape[1:] != model.image_shape:
        raise ValueError(f"The data's images are {data.x.shape[1:]}; {model.name} expects {model.image_shape}.")
    if checkpoint.kind == "gan":
        from explorer.maths.fid import evaluate_generator

        judges = model.training_images  # the classifier checkpoint's networks, as the GAN's folder ships them
        metrics = evaluate_generator(
            model, judges.classifier, judges.features, data.x, seed=args.seed, classifier_names=judges.class_names
        )
    else:
        from explorer.maths.metrics import evaluate_autoencoder

        metrics = evaluate_autoencoder(model, data.x, seed=args.seed)
    print(json.dumps(metrics))
    return 0


def run_sample(args) -> int:
    import numpy as np

    from explorer.checkpoint import read_checkpoint
    from explorer.images import png_bytes, tile, upscale
    from explorer.maths.latent import sample_prior, truncate

    if args.n < 1:
        raise ValueError("--n must be at least 1.")
    checkpoint = read_checkpoint(args.checkpoint)
    model = _served_model(checkpoint)
    z = truncate(sample_prior(args.n, model.latent_dim, args.seed), args.truncation)
    classes = _sampled_classes(model, args.n, args.seed, args.class_name)
    images = model.generate(z, classes) if checkpoint.kind == "gan" else model.decode_latents(z)
    if args.out.suffix == ".npz":
        labels = {"y": classes, "class_names": np.array(model.class_names)} if classes is not None else {}
        np.savez_compressed(args.out, x=images, z=z, **labels)
    elif args.out.suffix == ".png":
        grid = tile(images, columns=int(np.ceil(np.sqrt(args.n))))
        args.out.write_bytes(png_bytes(upscale(grid, max(1, args.zoom))))
    else:
        raise ValueError(f"--out must end in .npz or .png, not {args.out.suffix or 'nothing'}.")
    print(f"Wrote {args.n} samples of {checkpoint.name} to {args.out}")
    return 0


def _sampled_classes(model, count: int, seed: int, name: str | None):
    """What a conditional GAN's samples are asked for: drawn with the data's odds (seeded), each class
    in turn ("each"), or one named class; None for any other model."""
    import numpy as np

    from explorer.maths.latent import draw_classes

    names = list(getattr(model, "class_names", None) or ())
    if not names:
        if name is not None:
            raise ValueError(f"--class needs a conditional GAN; {model.name} has no classes.")
        return None
    if name is None:
        return draw_classes(count, len(names), model.class_shares, [seed, 1])
    if name == "each":
        return np.arange(count) % len(names)
    from explorer.serving.models import class_name

    if class_name(name) not in names:
        raise ValueError(f"{model.name} makes no class {name!r}; its classes start {', '.join(names[:5])} …")
    return np.full(count, names.index(class_name(name)))


def _served_model(checkpoint):
    from explorer.serving.models import ImageAutoencoder, ImageGenerator

    if checkpoint.kind == "gan":
        return ImageGenerator(checkpoint)
    if checkpoint.kind in ("vae", "ae"):
        return ImageAutoencoder(checkpoint)
    raise ValueError(f"{checkpoint.name} is a {checkpoint.kind}; sampling needs a GAN, VAE or AE.")


def run_embed(args) -> int:
    from explorer.checkpoint import read_checkpoint
    from explorer.training.data import load_dataset
    from explorer.training.embed import write_embedding, write_projections

    checkpoint = read_checkpoint(args.checkpoint)
    if args.data is None:
        if "embedding" not in checkpoint.files:
            raise ValueError(f"{checkpoint.name} ships no embedding yet; give a VAE its images with --data.")
        summary = write_projections(args.checkpoint)
        print(f"Wrote the default projections of {summary['points']:,} points to {args.checkpoint}")
        return 0
    if checkpoint.kind != "vae":
        raise ValueError(f"{checkpoint.name} is a {checkpoint.kind}; embed --data ships a VAE's latent means.")
    size = checkpoint.config.image_shape[0]
    summary = write_embedding(args.checkpoint, load_dataset(args.data, size))
    print(f"Wrote {summary['points']:,} points of {summary['dims']} dimensions to {args.checkpoint}")
    return 0


def run_export(args) -> int:
    from explorer.checkpoint import read_checkpoint, stored_as, write_manifest
    from explorer.models.vae import load_vae
    from explorer.training.export import export_vae

    checkpoint = read_checkpoint(args.checkpoint)
    export_vae(load_vae(checkpoint), checkpoint.folder)
    write_manifest(checkpoint.folder, {**checkpoint.manifest, "stored_as": stored_as(checkpoint.files)}, stamp=False)
    print(f"Rewrote the .tflite files of {checkpoint.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
