"""Shared by the benchmarks: the training benchmarks' options, print a table, write JSON under benchmarks/results/."""
from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from instructor.config import ROOT

RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict:
    return {"python": platform.python_version(), "torch": torch.__version__, "cpu_threads": torch.get_num_threads(),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def report(name: str, rows: list[dict]) -> None:
    """Print rows as an aligned table and write {machine, rows} to results/<name>.json."""
    cols = list(rows[0])
    cells = [[f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols] for r in rows]
    width = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, width)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, width)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))


def training_parser(doc: str, fast_help: str = "CPU-sized settings", threads: int = 2) -> argparse.ArgumentParser:
    """The options every training benchmark takes: --fast, --threads, --cpu (add more, then parse_training_args)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help=fast_help)
    parser.add_argument("--threads", type=int, default=threads, help="CPU threads")
    parser.add_argument("--cpu", action="store_true", help="CPU only, even when a GPU is present")
    return parser


def parse_training_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse, set the CPU threads; args.mode is "fast" or "full", args.device the GPU when present (unless --cpu)."""
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.mode = "fast" if args.fast else "full"
    args.device = torch.device("cuda" if torch.cuda.is_available() and not args.cpu else "cpu")
    return args


def timed(fn, device: torch.device):
    """(fn(), seconds), with the GPU's queued work finished before the clock starts and before it stops."""
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return out, time.perf_counter() - start


def images_per_second(model: torch.nn.Module, x: torch.Tensor, reps: int = 10) -> float:
    """Forward passes of the batch x through model (eval mode, no gradients): images per second, the median of
    `reps` passes after two warm-up passes."""
    from ganlab.models.inference import evaluating

    device = next(model.parameters()).device
    x, times = x.to(device), []
    with torch.no_grad(), evaluating(model):
        for i in range(reps + 2):
            _, seconds = timed(lambda: model(x), device)
            if i >= 2:
                times.append(seconds)
    return len(x) / sorted(times)[len(times) // 2]
