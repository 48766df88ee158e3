"""Indexes of a data version, built once and kept beside it: seasons, search, on air; no Flask."""
