from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config.views import ApiRootView, SearchView, TimelineView, TokenView, healthz, readyz

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"

api_v1 = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("timeline/", TimelineView.as_view(), name="timeline"),
    path("search/", SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("sources.urls")),
    path("", include("events.urls")),
    path("", include("treaties.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]
