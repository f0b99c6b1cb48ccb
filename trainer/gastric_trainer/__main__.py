"""python3 -m gastric_trainer {train CONFIG | parity --out DIR | check}. Progress and results are JSON lines on stdout;
a failure is one ``error`` event with a one-line message (the traceback only with GASTRIC_AI_DEBUG=1, on stderr)."""
from __future__ import annotations

import argparse
import os
import sys
import traceback


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gastric_trainer")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("config")
    p = sub.add_parser("parity")
    p.add_argument("--out", required=True)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--variant", default="v1.5")
    p.add_argument("--seed", type=int, default=1)
    sub.add_parser("check")
    args = parser.parse_args(argv)

    from .events import emit

    try:
        import torch
        import torchvision

        if args.command == "check":
            emit("check", torch=torch.__version__, torchvision=torchvision.__version__, cuda=torch.cuda.is_available(),
                 gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, threads=torch.get_num_threads())
        elif args.command == "parity":
            from .parity import make_reference

            make_reference(args.out, args.size, args.variant, args.seed)
            emit("done", out=args.out)
        else:
            from .config import read_config
            from .train import train

            train(read_config(args.config))
        return 0
    except KeyboardInterrupt:
        emit("error", message="interrupted")
        return 130
    except Exception as e:  # one line for the user; the traceback for developers
        if os.environ.get("GASTRIC_AI_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        emit("error", message=message, kind=type(e).__name__)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
