"""Speed and quality benchmarks, each printing a table and writing JSON under results/. Run them as modules from the
repository root: `python -m benchmarks.<name>` (`make bench` runs them all)."""
