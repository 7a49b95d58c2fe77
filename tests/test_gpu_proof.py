"""The GPU proof (benchmarks/gpu_proof.py) runs its whole code path in tiny settings on the CPU and writes
what it promises: every part ok, the figures, and the numbers in proof.json."""
import json
import subprocess
import sys

import pytest

from instructor.config import ROOT

pytestmark = pytest.mark.slow


def test_smoke_run_writes_every_part(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "benchmarks.gpu_proof", "--smoke", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    proof = json.loads((tmp_path / "proof.json").read_text())
    parts = proof["parts"]
    assert set(parts) == {"hidden_tests_cuda", "wgan_gp", "dcgan", "throughput"}
    assert all(p["ok"] for p in parts.values()), parts
    for name in ("wgan_gp", "dcgan"):
        assert parts[name]["steps_done"] == parts[name]["steps_planned"] and parts[name]["fd"], parts[name]
        assert (tmp_path / f"{name}_samples.png").stat().st_size > 1000
        assert (tmp_path / f"{name}_curves.png").stat().st_size > 1000
    rows = parts["throughput"]["rows"]
    assert rows[0]["ratio"] == 1.0 and len(rows) == 5 and all(r["images_per_s"] > 0 for r in rows), rows
    assert all(not lecture["failed"] for lecture in parts["hidden_tests_cuda"]["lectures"].values())


def test_without_a_gpu_the_full_run_says_what_to_do(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "benchmarks.gpu_proof", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env={"CUDA_VISIBLE_DEVICES": "",
                                                                                      "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2 and "--smoke" in proc.stderr, proc.stderr[-2000:]
