"""Claim verification: does a passage support, partly support, not support or contradict a
statement, and where do passages disagree with each other. Heuristic, offline, deterministic."""
