"""Benchmarks of the platform's design decisions (run with ``python -m bench``)."""
