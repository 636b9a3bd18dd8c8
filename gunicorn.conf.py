"""gunicorn settings for `make serve` and the container: a few processes with a few threads each.

Requests mostly wait on the database, so threads help; processes use both cores. The app writes
its own JSON line per request, so gunicorn's access log stays off.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 30
accesslog = None
errorlog = "-"
# Behind a reverse proxy (see PROXY_COUNT), trust the X-Forwarded-* headers it sets.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
