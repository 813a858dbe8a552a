"""Benchmarks: `vitals bench` measures load and build time, peak memory and throughput."""
