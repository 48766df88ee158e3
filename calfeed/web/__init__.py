"""The HTTP edge: app state and reload, query parsing, views, the API, responses and caches."""
