"""The WSGI entry point for production servers: `app = create_app()`."""

import sys

from calfeed import create_app
from calfeed.errors import CatalogError

try:
    app = create_app()
except CatalogError as exc:
    # Refuse to start, saying exactly what is wrong, rather than serve partial data.
    print(exc, file=sys.stderr)
    print("calfeed: the schedules do not validate; fix them (see 'calfeed check')",
          file=sys.stderr)
    raise SystemExit(1) from None
