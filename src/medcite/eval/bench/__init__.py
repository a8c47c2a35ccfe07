"""Benchmarks: ingest, search, embedding and answer speed, beside ``bm25s`` as a reference.

``medcite bench`` (see :mod:`medcite.cli.bench`) runs :func:`medcite.eval.bench.run.run` on the
demo corpus and on a seeded synthetic corpus built by :mod:`medcite.eval.bench.corpus`;
BENCHMARKS.md holds the numbers from one machine. Needs the ``[dense]`` and ``[bench]`` extras.
"""
