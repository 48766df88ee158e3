"""The query layer: every request input parsed once, by one parser per parameter (see design.md)."""
