"""Imported catalogues: bangumi-data's items mapped to calfeed's shows and releases."""
