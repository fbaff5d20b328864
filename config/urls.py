from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from api.auth import TokenView
from api.docs import SchemaView
from api.health import healthz, readyz
from api.routers import ApiRouter
from events.urls import router as events_router
from explore.views import DumpView, MetaView, SearchView, TimelineView
from sources.urls import router as sources_router
from treaties.urls import router as treaties_router

# The admin carries the service's name; its "View site" goes to the reader at `/`.
admin.site.site_header = admin.site.site_title = f"{settings.SERVICE_NAME}: editing"
admin.site.site_url = "/"

handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "reader.views.not_found"
handler500 = "api.errors.server_error"

router = ApiRouter(
    events_router,
    treaties_router,
    sources_router,
    also_listed={
        "timeline": "timeline",
        "search": "search",
        "meta": "meta",
        "dump": "dump",
        "schema": "schema",
        "token": "api-token",
    },
)

api_v1 = [
    path("timeline/", TimelineView.as_view(), name="timeline"),
    path("search/", SearchView.as_view(registry=router.registry), name="search"),
    path("meta/", MetaView.as_view(registry=router.registry), name="meta"),
    path("dump/", DumpView.as_view(registry=router.registry), name="dump"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
    path("", include("reader.urls")),
]
