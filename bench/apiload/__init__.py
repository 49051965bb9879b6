"""The pieces of bench/api.py: load generation (wrk), servers, phases, soak and report."""
