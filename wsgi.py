"""Entry point for `flask --app wsgi` and WSGI servers."""

import sys

from config import ConfigError
from rs_service import create_app

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"rs_service cannot start: {error}")
