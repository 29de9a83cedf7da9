"""Benchmarks of the whole pipeline (`python -m benchmarks.run`, `make bench`): not part of the test suite."""
