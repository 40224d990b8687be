"""`python -m explorer train KIND ...`: one sub-command per kind of model, each with only the options
that kind takes, and `train --recipe recipes/NAME.toml`, which reads a shipped model's every setting
from its recipe file into the same options (the command line may add to them or override them).

Only options a shipped recipe uses exist; a setting none of them changes keeps its config's default
(explorer/config.py, the one place for defaults).
"""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from explorer.config import (
    TRAINING_DEFAULTS,
    CharRNNConfig,
    ClassifierConfig,
    GANConfig,
    VAEConfig,
    default_augment,
    default_discriminator_filters,
    default_generator_filters,
    default_likelihood,
    training_config,
)

KINDS = tuple(TRAINING_DEFAULTS)
IMAGES = ("vae", "ae", "gan", "classifier")
AUTOENCODERS = ("vae", "ae")


def channels(text: str) -> tuple:
    """ "128,64,32" -> (128, 64, 32)."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"give comma-separated whole numbers like 128,64,32, not {text!r}") from None


@dataclass(frozen=True)
class Option:
    """One option of `train`: the kinds that take it, and what argparse needs. `on_off` options are
    spelt --NAME / --no-NAME; every other default is None, meaning the config's own."""

    kinds: tuple
    help: object  # a sentence, or kind -> sentence
    type: object = str
    choices: tuple | None = None
    metavar: str | None = None
    on_off: bool = False
    required: bool = False
    extra: dict = field(default_factory=dict)


OPTIONS = {
    "data": Option(
        KINDS,
        lambda kind: (
            "a UTF-8 .txt file"
            if kind == "charrnn"
            else "an .npz with x (and y), a folder of images (sub-folders become labels), or mnist"
        ),
        required=True,
    ),
    "out": Option(KINDS, "the checkpoint folder (default checkpoints/DATA-KIND)", type=Path),
    "epochs": Option(
        KINDS, lambda kind: f"passes over the training data (default {TRAINING_DEFAULTS[kind].epochs})", type=int
    ),
    "decay_from": Option(
        ("vae", "ae", "gan", "charrnn"),
        "after this many epochs the learning rate falls linearly to zero at the last (default: constant; a "
        "finished run can be extended: rerun its command with more --epochs)",
        type=int,
    ),
    "holdout": Option(
        ("vae", "ae", "classifier"),
        lambda kind: f"images held out for the metrics (default {TRAINING_DEFAULTS[kind].holdout})",
        type=int,
    ),
    "image_size": Option(IMAGES, "resize the images to this square size (default: as they are)", type=int),
    "latent_dim": Option(
        ("vae", "ae", "gan"),
        lambda kind: f"size of z (default {(GANConfig if kind == 'gan' else VAEConfig).latent_dim})",
        type=int,
    ),
    "filters": Option(
        AUTOENCODERS,
        f"comma-separated conv channels, each halving the size (default {','.join(map(str, VAEConfig.filters))})",
        type=channels,
    ),
    "activation": Option(
        AUTOENCODERS, f"the hidden layers' (default {VAEConfig.activation})", choices=("relu", "leaky_relu")
    ),
    "likelihood": Option(
        AUTOENCODERS,
        "p(x | z) (default bernoulli for grey images, gaussian for colour)",
        choices=("bernoulli", "gaussian"),
    ),
    "shift": Option(
        AUTOENCODERS,
        "move each training image by up to this many pixels across and down, anew every epoch (default 0); "
        "held-out images are never moved",
        type=int,
    ),
    "embed": Option(
        ("vae",),
        "afterwards, ship every image's latent mean and default projections for the Projector (default on)",
        on_off=True,
    ),
    "features": Option(
        ("gan",), "a classifier checkpoint: FID during training, and the nearest training images", type=Path
    ),
    "generator_filters": Option(
        ("gan",),
        "comma-separated channels of the seed map, then after each 2x upsampling (default by size)",
        type=channels,
    ),
    "discriminator_filters": Option(
        ("gan",),
        "comma-separated channels of D's stride-2 convolutions (default 64,128; 64,128,256 above 28 px)",
        type=channels,
    ),
    "discriminator_convs": Option(
        ("gan",),
        f"convolutions per resolution in D (default {GANConfig.discriminator_convs}; 2 adds a 3x3 one before each stride-2)",
        type=int,
    ),
    "upsampling": Option(
        ("gan",),
        f"4x4 transposed convs, or 2x nearest-neighbour then a 3x3 conv (default {GANConfig.upsampling})",
        choices=("transposed", "nearest"),
    ),
    "batch_norm": Option(
        ("gan",),
        f"batch normalisation after each generator conv (default {'on' if GANConfig.batch_norm else 'off'})",
        on_off=True,
    ),
    "augment": Option(
        ("gan",),
        "DiffAugment policy for every image D sees (default translation,cutout; colour: color,translation,cutout)",
    ),
    "mode_seeking": Option(
        ("gan",), "weight of MSGAN's term, so that two seeds of one class differ (default 0: none)", type=float
    ),
    "r1": Option(
        ("gan",), "R1 penalty weight on D's slope at real images (default 0: none)", type=float, metavar="GAMMA"
    ),
    "keep": Option(
        ("gan",),
        "the epoch that ships: the lowest FID (checked every 5 epochs; default) or the last",
        choices=("best-fid", "last"),
    ),
    "conditional": Option(
        ("gan",),
        "class-conditional on the data's labels (an .npz's y or category, or sub-folders)",
        extra={"action": "store_true"},
    ),
    "labels": Option(
        ("gan",),
        "with --conditional: the .npz column that labels the images (default y, else category)",
        metavar="COLUMN",
    ),
    "default_class": Option(
        ("gan",),
        "with --conditional: the class its page opens on (default: the one the data has most of)",
        metavar="NAME",
    ),
    "class_table": Option(
        ("gan",),
        "with --conditional: G and D read each class through a fixed vector, its images' mean features in "
        "--features' classifier and their mean colours on a GRID x GRID grid (for many classes of few images)",
        type=int,
        metavar="GRID",
    ),
    "image_match": Option(
        ("gan",),
        "with --conditional: G also pays WEIGHT x the mean |its sample - the nearest training image of its "
        "class| (pixels in [0, 1]), so a class is drawn as its images are",
        type=float,
        metavar="WEIGHT",
    ),
    "class_picture": Option(
        ("gan",),
        "with --conditional: G also sees its class's mean image at SIDE x SIDE pixels beside its feature maps",
        type=int,
        metavar="SIDE",
    ),
    "units": Option(("charrnn",), f"GRU state size (default {CharRNNConfig.units})", type=int),
    "seq_len": Option(("charrnn",), f"characters per training sequence (default {CharRNNConfig.seq_len})", type=int),
    "dropout": Option(
        ("charrnn",), "share of the GRU's inputs and outputs zeroed while training (default none)", type=float
    ),
}

KIND_HELP = {
    "vae": "a variational autoencoder (the VAE page)",
    "ae": "a plain autoencoder (the VAE page's comparison)",
    "gan": "a GAN, or with --conditional a class-conditional one (the GAN page)",
    "classifier": "the image classifier behind a GAN's FID and nearest images",
    "charrnn": "a character-level GRU (the Text page)",
}


def add_train_command(commands) -> None:
    """`train` and its sub-command per kind, each with its own options."""
    train = commands.add_parser(
        "train",
        help="train a model and write its checkpoint folder",
        description="Train a model: `train KIND --data ... ` or `train --recipe recipes/NAME.toml` "
        "(the recipe's settings, then any option given after it).",
    )
    kinds = train.add_subparsers(dest="kind", metavar="{" + ",".join(KINDS) + "}")
    for kind in KINDS:
        parser = kinds.add_parser(kind, help=KIND_HELP[kind], description=f"Train {KIND_HELP[kind]}.")
        for name, option in OPTIONS.items():
            if kind in option.kinds:
                _add_option(parser, kind, name, option)


def _add_option(parser, kind: str, name: str, option: Option) -> None:
    flag = "--" + name.replace("_", "-")
    sentence = option.help(kind) if callable(option.help) else option.help
    if option.on_off:
        parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=sentence)
    elif "action" in option.extra:
        parser.add_argument(flag, help=sentence, **option.extra)
    else:
        parser.add_argument(
            flag,
            type=option.type,
            choices=option.choices,
            metavar=option.metavar,
            required=option.required,
            default=None,
            help=sentence,
        )


# Recipes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    file: Path
    text: str
    kind: str
    arguments: tuple  # the recipe's settings as `train KIND` options
    overrides: tuple = ()  # options the command line gave after it, which win


def read_recipe(path: Path | str) -> Recipe:
    """A recipe file's kind and settings, or a sentence naming what is wrong with it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        settings = tomllib.loads(text)
    except OSError:
        raise ValueError(f"No recipe at {path}: give a .toml file like recipes/mnist-vae-2d.toml.") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path} is not a TOML recipe: {error}") from None
    kind = settings.pop("kind", None)
    if kind not in KINDS:
        raise ValueError(f"{path} must say kind = one of {', '.join(KINDS)}, not {kind!r}.")
    arguments = []
    for name, value in settings.items():
        option = OPTIONS.get(name)
        if option is None or kind not in option.kinds:
            takes = ", ".join(other for other, known in OPTIONS.items() if kind in known.kinds)
            raise ValueError(f"{path}: a {kind} recipe has no setting {name!r}; it takes {takes}.")
        arguments += _as_arguments(name, value, option, path)
    return Recipe(path, text, kind, tuple(arguments))


def _as_arguments(name: str, value, option: Option, path: Path) -> list[str]:
    flag = "--" + name.replace("_", "-")
    if option.on_off or "action" in option.extra:
        if not isinstance(value, bool):
            raise ValueError(f"{path}: {name} is true or false, not {value!r}.")
        if option.on_off:
            return [flag if value else "--no-" + flag[2:]]
        return [flag] if value else []
    if isinstance(value, list):
        value = ",".join(str(part) for part in value)
    if isinstance(value, bool | dict):
        raise ValueError(f"{path}: {name} takes a value like the option {flag}, not {value!r}.")
    return [flag, str(value)]


def expand_recipe(argv: list[str]) -> tuple[list[str], Recipe | None]:
    """`train --recipe FILE [options]` -> `train KIND <the recipe's options> [options]` and the recipe;
    any other command line as it is."""
    if argv[:1] != ["train"] or not any(part == "--recipe" or part.startswith("--recipe=") for part in argv):
        return argv, None
    rest, path = [], None
    parts = iter(argv[1:])
    for part in parts:
        if part == "--recipe":
            path = next(parts, None)
        elif part.startswith("--recipe="):
            path = part.split("=", 1)[1]
        else:
            rest.append(part)
    if not path:
        raise ValueError("--recipe needs a file: train --recipe recipes/NAME.toml")
    recipe = read_recipe(path)
    if rest and rest[0] in KINDS:
        if rest[0] != recipe.kind:
            raise ValueError(f"{path} trains a {recipe.kind}, not a {rest[0]}.")
        rest = rest[1:]
    return ["train", recipe.kind, *recipe.arguments, *rest], replace(recipe, overrides=tuple(rest))


# Training ------------------------------------------------------------------------------------------


def run_train(args, recipe: Recipe | None = None) -> int:
    train = training_config(args.kind, **_given(args, "epochs", "holdout", "decay_from", "shift"))
    if args.kind == "charrnn":
        out = _train_charrnn(args, train)
    else:
        from explorer.training.data import load_dataset

        data = load_dataset(args.data, args.image_size, getattr(args, "labels", None))
        out = args.out or Path("checkpoints") / f"{Path(args.data).stem}-{args.kind}"
        if args.kind in AUTOENCODERS:
            out = _train_autoencoder(args, data, train)
        elif args.kind == "gan":
            from explorer.training.gan import train_gan

            config = gan_config(args, data)
            train_gan(data, config, train, out, features_from=args.features, **_given(args, "keep"))
        elif args.kind == "classifier":
            from explorer.training.classifier import train_classifier

            classes = int(data.y.max()) + 1 if data.y is not None else 0
            train_classifier(data, ClassifierConfig(image_shape=data.x.shape[1:], classes=classes), train, out)
    if recipe is not None:
        _record_recipe(out, recipe)
    print(f"Wrote {out}")
    return 0


def _train_autoencoder(args, data, train) -> Path:
    from explorer.training.vae import train_vae

    config = VAEConfig(
        kind=args.kind,
        image_shape=data.x.shape[1:],
        likelihood=args.likelihood or default_likelihood(data.x.shape[-1]),
        **_given(args, "latent_dim", "filters", "activation"),
    )
    out = args.out or Path("checkpoints") / f"{Path(args.data).stem}-{args.kind}-{config.latent_dim}d"
    train_vae(data, config, train, out)
    if args.kind == "vae" and args.embed is not False:
        from explorer.training.embed import write_embedding

        write_embedding(out, data)
    return out


def gan_config(args, data) -> GANConfig:
    """The GAN the options describe, on `data`; a sentence for a class option without --conditional."""
    size, colours = data.x.shape[1], data.x.shape[-1]
    config = GANConfig(
        image_shape=data.x.shape[1:],
        generator_filters=args.generator_filters or default_generator_filters(size),
        discriminator_filters=args.discriminator_filters or default_discriminator_filters(size),
        augment=args.augment if args.augment is not None else default_augment(colours),
        **_given(args, "latent_dim", "upsampling", "batch_norm", "discriminator_convs", "mode_seeking"),
        **({"r1_gamma": args.r1} if args.r1 is not None else {}),
    )
    of_a_class = {"--default-class": args.default_class, "--image-match": args.image_match}
    of_a_class |= {"--class-picture": args.class_picture, "--class-table": args.class_table}
    if not args.conditional:
        given = [option for option, value in of_a_class.items() if value]
        if given:
            raise ValueError(f"{given[0]} needs --conditional: an unconditional generator has no class to read.")
        return config
    from explorer.training.gan import conditional_config

    config = replace(conditional_config(config, data), **_given(args, "image_match", "class_picture"))
    if args.default_class:
        config = replace(config, default_class=args.default_class)
    if args.class_table:
        from explorer.checkpoint import read_checkpoint

        units = read_checkpoint(args.features).config.feature_units if args.features else 0
        config = replace(config, class_table=units + args.class_table**2 * colours, class_grid=args.class_table)
    return config


def _train_charrnn(args, train) -> Path:
    from explorer.training.text import read_text, train_charrnn

    config = CharRNNConfig(**_given(args, "units", "seq_len", "dropout"))
    if config.units < 1 or config.seq_len < 2 or not 0 <= config.dropout < 1:
        raise ValueError("--units must be at least 1, --seq-len at least 2 and --dropout in [0, 1).")
    text, origin = read_text(args.data)
    out = args.out or Path("checkpoints") / f"{Path(args.data).stem}-charrnn"
    train_charrnn(text, origin, config, train, out)
    return out


def _given(args, *names: str) -> dict:
    """The settings the command line (or recipe) gave: the others keep their config's default."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _record_recipe(out: Path, recipe: Recipe) -> None:
    """The manifest keeps the recipe it was trained from, word for word, and any option given after it."""
    from explorer.checkpoint import read_checkpoint, write_manifest

    manifest = read_checkpoint(out).manifest
    kept = {"file": recipe.file.as_posix(), "text": recipe.text}
    if recipe.overrides:
        kept["overrides"] = list(recipe.overrides)
    write_manifest(out, {**manifest, "recipe": kept}, stamp=False)
