from rest_framework.routers import SimpleRouter

from sources.views import CitationViewSet, SourceViewSet

router = SimpleRouter()
router.register("sources", SourceViewSet, basename="source")
router.register("citations", CitationViewSet, basename="citation")

urlpatterns = router.urls
