"""Command line: `python -m explorer train|evaluate|bench ...` (see `--help` of each)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model and write its checkpoint folder")
    train.add_argument("kind", choices=["vae", "ae"])
    train.add_argument("--data", required=True, help="mnist, fashion_mnist, an .npz with x (and y), or an image folder")
    train.add_argument("--latent-dim", type=int, default=2)
    train.add_argument("--epochs", type=int, default=60)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--image-size", type=int, default=None, help="resize images to this square size")
    train.add_argument("--holdout", type=int, default=1000, help="images held out for metrics")
    train.add_argument("--hidden-units", type=int, default=256)
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--out", type=Path, default=None, help="checkpoint folder (default checkpoints/DATA-KIND-Nd)")

    evaluate = commands.add_parser("evaluate", help="print held-out metrics of a checkpoint as JSON")
    evaluate.add_argument("checkpoint", type=Path)
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--seed", type=int, default=0)

    export = commands.add_parser("export", help="rewrite a checkpoint's .tflite files from its Keras weights")
    export.add_argument("checkpoint", type=Path)

    bench = commands.add_parser("bench", help="measure decode speed, app start, memory and slider latency")
    bench.add_argument("--checkpoint", type=Path, default=Path("checkpoints/mnist-vae-16d"))
    bench.add_argument("--repeats", type=int, default=30, help="slider moves per browser measurement")
    bench.add_argument("--skip-browser", action="store_true")

    args = parser.parse_args(argv)
    from explorer.checkpoint import CheckpointError
    from explorer.data import DataError

    try:
        if args.command == "train":
            return run_train(args)
        if args.command == "evaluate":
            return run_evaluate(args)
        if args.command == "export":
            return run_export(args)
        from explorer.bench import run_bench

        return run_bench(args)
    except (CheckpointError, DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def run_train(args) -> int:
    from explorer.config import TrainConfig, VAEConfig
    from explorer.data import load_dataset
    from explorer.train import train_vae

    data = load_dataset(args.data, args.image_size)
    model_config = VAEConfig(kind=args.kind, image_shape=data.x.shape[1:], latent_dim=args.latent_dim,
                             hidden_units=args.hidden_units)
    train = TrainConfig(epochs=args.epochs, seed=args.seed, holdout=args.holdout, batch_size=args.batch_size)
    out = args.out or Path("checkpoints") / f"{Path(args.data).stem}-{args.kind}-{args.latent_dim}d"
    train_vae(data, model_config, train, out)
    print(f"Wrote {out}")
    return 0


def run_evaluate(args) -> int:
    from explorer.data import load_dataset
    from explorer.metrics import evaluate_autoencoder
    from explorer.serving import ImageAutoencoder

    model = ImageAutoencoder.from_folder(args.checkpoint)
    data = load_dataset(args.data, model.image_shape[0])
    if data.x.shape[1:] != model.image_shape:
        raise ValueError(f"The data's images are {data.x.shape[1:]}; {model.name} expects {model.image_shape}.")
    print(json.dumps(evaluate_autoencoder(model, data.x, seed=args.seed)))
    return 0


def run_export(args) -> int:
    from explorer.checkpoint import read_checkpoint
    from explorer.export import export_vae
    from explorer.vae import load_vae

    checkpoint = read_checkpoint(args.checkpoint)
    export_vae(load_vae(checkpoint), checkpoint.folder)
    print(f"Rewrote the .tflite files of {checkpoint.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
