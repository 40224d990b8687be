"""The project's own measurements: `python -m tools bench|loadtest|balance ...` (see `--help` of each).

Nothing in explorer/ imports this package; the app and the user's command line never need it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser("bench", help="measure decode speed, app start, memory and slider latency")
    bench.add_argument("--checkpoint", type=Path, default=Path("checkpoints/mnist-vae-16d"))
    bench.add_argument("--repeats", type=int, default=30, help="slider moves per browser measurement")
    bench.add_argument("--skip-browser", action="store_true")
    bench.add_argument("--skip-projector", action="store_true", help="skip UMAP/t-SNE timings (minutes)")
    bench.add_argument("--live", action="store_true", help="only the live sliders in the browser (bench_live)")
    bench.add_argument(
        "--training", action="store_true", help="only a GAN training step with and without XLA (bench_training)"
    )

    loadtest = commands.add_parser(
        "loadtest",
        help="many sessions through every page at once, against one "
        "session: latency, errors, identical outputs, server memory",
    )
    loadtest.add_argument("--sessions", type=int, default=30, help="concurrent sessions")
    loadtest.add_argument("--seconds", type=float, default=120.0, help="how long the sessions keep going")
    loadtest.add_argument("--think", type=float, default=1.0, help="mean pause (s) after each page update")
    loadtest.add_argument("--baseline-rounds", type=int, default=5, help="timed single-session passes")
    loadtest.add_argument(
        "--attacker",
        nargs="?",
        const="both",
        choices=("uploads", "states", "both"),
        help="run the load again beside one visitor uploading hostile files (uploads), one client sending "
        "hostile states (states), or both (the default); compare p95",
    )
    loadtest.add_argument(
        "--processes",
        type=int,
        default=None,
        help="serve the app from this many processes behind nginx (tools/balancer.py) instead of one",
    )
    loadtest.add_argument("--url", default=None, help="a running app (default: start one on a free port)")
    loadtest.add_argument("--server-pid", type=int, default=None, help="with --url: the server, to sample its memory")
    loadtest.add_argument(
        "--app-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout whose streamlit_app.py is served (default: this one)",
    )
    loadtest.add_argument("--json", type=Path, default=None, help="also write every figure to this file")

    balance = commands.add_parser("balance", help="run N app processes behind nginx (deploy/nginx.conf) until Ctrl+C")
    balance.add_argument("--processes", type=int, default=2)
    balance.add_argument("--port", type=int, default=8080)

    args = parser.parse_args(argv)
    if args.command == "balance":
        from tools.balancer import serve

        return serve(args.processes, args.port)
    if args.command == "loadtest":
        from tools.loadtest import run_loadtest_command

        return run_loadtest_command(args)
    from tools.bench import run_bench

    return run_bench(args)


if __name__ == "__main__":
    raise SystemExit(main())
