"""The WSGI application (gunicorn: deploy/start.sh web)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Load what every request uses (the URLconf and the views it imports), then move every
# object alive now out of the garbage collector's sight. Otherwise each full collection
# walks these ~150,000 long-lived objects: a pause of 50-100 ms for the request it lands
# in (the paper page's p99), and a share of every hit's time.
get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
