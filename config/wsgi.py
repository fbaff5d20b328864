import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django, behind the cache of anonymous reads (api.response_cache), each request reading from
# the database chosen for it (api.replicas: the primary unless there are replicas).
from api.replicas import routed
from api.response_cache import ResponseCache

application = routed(ResponseCache(get_wsgi_application()))
