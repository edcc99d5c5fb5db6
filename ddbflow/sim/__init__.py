"""The simulator: a trace of per-minute demand drives a policy in virtual time (see policy.py)."""
