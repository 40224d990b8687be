"""The commands that read a checkpoint: `evaluate`, `sample`, `embed`, `export`."""

from __future__ import annotations

import json
from pathlib import Path


def add_checkpoint_commands(commands) -> None:
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


def run_checkpoint_command(args) -> int:
    run = {"evaluate": run_evaluate, "sample": run_sample, "embed": run_embed, "export": run_export}
    return run[args.command](args)


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

        classifier_nets = model.training_images  # the classifier checkpoint's networks, as the GAN's folder ships them
        metrics = evaluate_generator(
            model,
            classifier_nets.classifier,
            classifier_nets.features,
            data.x,
            seed=args.seed,
            classifier_names=classifier_nets.class_names,
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
    from explorer.models.loading import load_keras_model
    from explorer.training.export import export_vae

    checkpoint = read_checkpoint(args.checkpoint)
    export_vae(load_keras_model(checkpoint), checkpoint.folder)
    write_manifest(checkpoint.folder, {**checkpoint.manifest, "stored_as": stored_as(checkpoint.files)}, stamp=False)
    print(f"Rewrote the .tflite files of {checkpoint.folder}")
    return 0
