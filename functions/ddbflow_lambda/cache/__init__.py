"""Cache rebuild functions, one per key prefix's ``builder`` in the config."""
