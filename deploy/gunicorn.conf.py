"""gunicorn settings for `make run`: the production server, never Flask's development one."""

import os

# Loopback by default: put nginx (deploy/) or a load balancer in front for the world.
bind = os.environ.get("CALFEED_BIND", "127.0.0.1:8000")
# Requests are CPU-bound joins of cached bytes: one worker per core.
workers = int(os.environ.get("CALFEED_WORKERS", os.cpu_count() or 2))
worker_class = "sync"
# Load the catalog once in the master so a bad schedule stops the start with its messages,
# before any worker is forked.
preload_app = True
timeout = 30
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = "info"
