"""Benchmarks of graphthb against public reference problems (run as python -m benchmarks.NAME)."""
