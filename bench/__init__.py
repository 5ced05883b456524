"""confkit benchmarks: latency of every operation against the stored data size,
the round-trip floor, bulk-load rate, analytics build time, and throughput on a
single server and a local Redis Cluster. Run with ``make bench`` (``python -m bench.run``)."""
