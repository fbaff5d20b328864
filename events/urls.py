from rest_framework.routers import SimpleRouter

from events import views

router = SimpleRouter()
router.register("parties", views.PartyViewSet, basename="party")
router.register("places", views.PlaceViewSet, basename="place")
router.register("negotiations", views.NegotiationViewSet, basename="negotiation")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("counterproposals", views.CounterproposalViewSet, basename="counterproposal")
router.register("events", views.EventViewSet, basename="event")
router.register("engagements", views.EngagementViewSet, basename="engagement")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("statements", views.StatementViewSet, basename="statement")
router.register("claims", views.ClaimViewSet, basename="claim")

urlpatterns = router.urls
