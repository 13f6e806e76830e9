"""Benchmarks: REST latency and throughput, floods, the cluster, the browser. Run as modules from the project
root (`python -m bench.rest_bench`; the Makefile does), so they import the project without editing sys.path."""
