"""Production settings serving the page benchmark's URLs (bench/urls.py).

Only bench/bench_pages.py uses this module, for itself and for the gunicorn
it starts; the application's own settings keep resursrad.urls, whose admin
registers no referral.
"""

from resursrad.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
