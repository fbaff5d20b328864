"""The naive peer: the same resources written as DRF's tutorial writes them.

`ModelSerializer` with `fields = "__all__"` and `depth = 1`, querysets with no select or
prefetch, no throttle, no filters: what a first version of this service would be. It reads the
same tables and is served by the same process as the service.
"""

from django.db.models import Q
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from events.models import Engagement, Event, Figure, Negotiation, Party, Place, Proposal
from sources.models import Citation
from treaties.models import Treaty


def tutorial_serializer(model_class):
    class Meta:
        model = model_class
        fields = "__all__"
        depth = 1

    return type(f"{model_class.__name__}PeerSerializer", (serializers.ModelSerializer,), {"Meta": Meta})


class TutorialView:
    permission_classes = [AllowAny]
    throttle_classes = []
    filter_backends = []


class EngagementList(TutorialView, generics.ListAPIView):
    queryset = Engagement.objects.all()
    serializer_class = tutorial_serializer(Engagement)


class EngagementDetail(TutorialView, generics.RetrieveAPIView):
    queryset = Engagement.objects.all()
    serializer_class = tutorial_serializer(Engagement)
    lookup_field = "slug"


class CitationList(TutorialView, generics.ListAPIView):
    queryset = Citation.objects.all()
    serializer_class = tutorial_serializer(Citation)


SEARCHED = {
    Party: ["name", "slug"],
    Place: ["name", "slug", "modern_name"],
    Negotiation: ["name", "outcome"],
    Proposal: ["terms"],
    Event: ["name", "description", "note"],
    Engagement: ["name", "outcome"],
    Figure: ["description", "measure", "unit"],
    Treaty: ["name"],
}


class Search(TutorialView, generics.GenericAPIView):
    def get(self, request):
        query = request.query_params.get("q", "")
        hits = []
        for model, fields in SEARCHED.items():
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": query})
            hits += tutorial_serializer(model)(model.objects.filter(condition), many=True).data
        return self.get_paginated_response(self.paginate_queryset(hits))


class Timeline(TutorialView, generics.GenericAPIView):
    def get(self, request):
        entries = []
        for model in (Negotiation, Event, Engagement, Treaty):
            rows = model.objects.filter(date__isnull=False)
            entries += tutorial_serializer(model)(rows, many=True).data
        entries.sort(key=lambda entry: entry["date"])
        return self.get_paginated_response(self.paginate_queryset(entries))


urlpatterns = [
    path("engagements/", EngagementList.as_view()),
    path("engagements/<slug:slug>/", EngagementDetail.as_view()),
    path("citations/", CitationList.as_view()),
    path("search/", Search.as_view()),
    path("timeline/", Timeline.as_view()),
]
