"""The ``convzoo`` command: one entry point, one subcommand per small module.

Each subcommand lives in ``convzoo/cli_<name>.py`` and exposes ``add_parser(subparsers)``,
which registers its options and ``set_defaults(run=run)`` (or ``func=``) with
``run(args) -> int``. Adding one is one function here plus its name in ``COMMANDS``;
keep heavy imports inside ``run`` so that ``convzoo shape`` never pays for what
``convzoo train`` needs.

Errors: a bad option, or a ``ValueError``/``TypeError`` raised by convzoo for a bad
value, is printed as ONE line on stderr (``convzoo shape: error: ...``) and the exit code
is 2; no traceback (set ``CONVZOO_DEBUG=1`` to get one).

>>> args = build_parser().parse_args(["shape", "--input", "3x5x5", "--kernel-size", "3"])
>>> args.command, args.input, args.kernel_size
('shape', (3, 5, 5), 3)
"""

from __future__ import annotations

import argparse
import os
import sys


class UsageError(Exception):
    """A command-line mistake; its text is the whole one-line message."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors that main() turns into exit code 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def _shape(sub) -> None:
    """convzoo shape: output size (with the formula), padding, params, MACs of one layer."""
    from . import cli_shape
    cli_shape.add_parser(sub)


def _compare(sub) -> None:
    """convzoo compare: standard vs grouped vs depthwise(-separable) vs ... side by side."""
    from . import cli_compare
    cli_compare.add_parser(sub)


def _train(sub) -> None:
    """convzoo train: mini-batch training with checkpoints, metrics and exact resume."""
    from . import cli_train
    cli_train.add_train_parser(sub)


def _evaluate(sub) -> None:
    """convzoo evaluate: accuracy, per-class accuracy, confusion matrix of a checkpoint."""
    from . import cli_train
    cli_train.add_evaluate_parser(sub)


def _summary(sub) -> None:
    """convzoo summary: a zoo model layer by layer (shapes, params, MACs, memory, RF)."""
    from . import cli_summary
    cli_summary.add_parser(sub)


def _animate(sub) -> None:
    """convzoo animate: GIF/MP4 of any conv's sliding window; --preset classic for the twelve."""
    from . import cli_animate
    cli_animate.add_parser(sub)


def _tour(sub) -> None:
    """convzoo tour: the whole library in one HTML report (animations, filters, LeNet-5)."""
    from . import cli_tour
    cli_tour.add_parser(sub)


def _bench(sub) -> None:
    """convzoo bench: the conv family timed against PyTorch and ONNX Runtime, side by side."""
    from . import cli_bench
    cli_bench.add_parser(sub)


COMMANDS = (_shape, _compare, _summary, _train, _evaluate, _animate, _tour, _bench)


def build_parser() -> argparse.ArgumentParser:
    """The ``convzoo`` parser with every subcommand registered."""
    parser = _Parser(
        prog="convzoo",
        description="The convolution family of CNNs: shapes, counts, training and pictures.",
        epilog="Run 'convzoo COMMAND --help' for a command's options.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"convzoo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``convzoo`` with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Args:
        argv: the arguments after the program name.

    Returns:
        0 on success, 2 on a usage or value error (message on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except SystemExit as done:      # --help and --version exit through argparse
        return done.code if isinstance(done.code, int) else 0
    run = getattr(args, "run", None) or getattr(args, "func", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(run(args) or 0)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except (ValueError, TypeError) as err:
        if os.environ.get("CONVZOO_DEBUG"):
            raise
        print(f"convzoo {args.command}: error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:  # a dataset or checkpoint that is not there
        print(f"convzoo {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"convzoo {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:         # `convzoo ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
