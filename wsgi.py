"""The WSGI entry point for production servers: `app = create_app()`."""

import logging
import sys

from calfeed import create_app
from calfeed.config import SettingError
from calfeed.errors import CatalogueError
from calfeed.serve.startup import cannot_start

# What the workers do on their own (loads, dataset checks) goes to granian's output, beside its
# own lines; a server that configured logging already keeps its configuration.
if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="[%(levelname)s] %(name)s (pid %(process)d): %(message)s")

try:
    app = create_app()
except SettingError as exc:
    print(exc, file=sys.stderr)
    raise SystemExit(1) from None
except CatalogueError as exc:
    # Nothing good to serve (the folder is invalid and no last good copy is kept): refuse to
    # start, saying exactly what is wrong, rather than serve partial data.
    print(cannot_start(exc), file=sys.stderr)
    raise SystemExit(1) from None
