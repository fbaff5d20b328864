from django.urls import include, path

from bench import peer
from config.urls import urlpatterns as service

urlpatterns = [*service, path("peer/", include(peer.urlpatterns))]
