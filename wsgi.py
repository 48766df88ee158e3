"""The WSGI entry point for production servers: `app = create_app()`."""

import sys

from calfeed import create_app
from calfeed.config import SettingError
from calfeed.errors import CatalogError
from calfeed.web.startup import cannot_start

try:
    app = create_app()
except SettingError as exc:
    print(exc, file=sys.stderr)
    raise SystemExit(1) from None
except CatalogError as exc:
    # Nothing good to serve (the folder is invalid and no last good copy is kept): refuse to
    # start, saying exactly what is wrong, rather than serve partial data.
    print(cannot_start(exc), file=sys.stderr)
    raise SystemExit(1) from None
