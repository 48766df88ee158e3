"""The catalogue as served: loaded shows and airings, their revisions, and which airings a region sees."""
