"""Evaluation and benchmarks (``eval.bench``): above every stage, imported by no production code."""
