"""`make bench`: the pages against their floors (run as ``python -m benchmarks.bench``)."""
