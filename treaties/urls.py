from rest_framework.routers import SimpleRouter

from treaties import views

router = SimpleRouter()
router.register("treaties", views.TreatyViewSet, basename="treaty")
router.register("terms", views.TreatyTermViewSet, basename="treaty-term")
router.register("treaty-articles", views.TreatyArticleViewSet, basename="treaty-article")

urlpatterns = router.urls
