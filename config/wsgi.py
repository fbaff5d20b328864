import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django, behind the cache of anonymous reads (api.response_cache).
from api.response_cache import ResponseCache

application = ResponseCache(get_wsgi_application())
