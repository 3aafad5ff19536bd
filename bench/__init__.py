"""Benchmarks: `make bench` prints tables; timings never go into tests."""
