from rest_framework.routers import SimpleRouter

from treaties import views

router = SimpleRouter()
router.register("treaties", views.TreatyViewSet, basename="treaty")
router.register("articles", views.TreatyArticleViewSet, basename="treaty-article")

urlpatterns = router.urls
