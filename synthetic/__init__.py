"""Synthetic corpus of annual reports with known truth, for tests and benchmarks."""
