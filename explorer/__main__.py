"""Command line: `python -m explorer train|evaluate|sample|embed|export ...` (see `--help` of each).

`train KIND` trains a model from the command line's options, `train --recipe recipes/NAME.toml`
from a shipped model's recipe file. The project's own measurements are `python -m tools`.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the output


def main(argv: list[str] | None = None) -> int:
    from explorer.checkpoint import CheckpointError
    from explorer.cli.checkpoints import add_checkpoint_commands, run_checkpoint_command
    from explorer.cli.train import add_train_command, expand_recipe, run_train
    from explorer.training.data import DataError

    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add_train_command(commands)
    add_checkpoint_commands(commands)
    try:
        argv, recipe = expand_recipe(list(sys.argv[1:] if argv is None else argv))
        args = parser.parse_args(argv)
        if args.command != "train":
            return run_checkpoint_command(args)
        if args.kind is None:
            parser.parse_args(["train", "--help"])
        return run_train(args, recipe)
    except (CheckpointError, DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
