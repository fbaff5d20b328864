from django.db.models import Prefetch

from api.docs import document
from api.viewsets import RecordViewSet, citations_prefetch
from events.models import Figure
from treaties import filters, serializers
from treaties.models import ArticleParty, Treaty, TreatyArticle


def article_related():
    return [
        Prefetch("party_roles", queryset=ArticleParty.objects.select_related("party")),
        "places",
        Prefetch("figures", queryset=Figure.objects.for_display()),
        citations_prefetch(),
    ]


@document(
    "treaty",
    "treaties",
    "Treaty",
    "Treaties: when they were signed (to the precision the source gives), who arranged the talks, "
    "and their articles. The detail gives every article in full.",
)
class TreatyViewSet(RecordViewSet):
    queryset = Treaty.objects.select_related("signed_at", "arranged_by").prefetch_related(
        "parties", citations_prefetch()
    )
    serializer_class = serializers.TreatySerializer
    detail_serializer_class = serializers.TreatyDetailSerializer
    filterset_class = filters.TreatyFilter
    search_fields = ["name"]
    ordering_fields = ["date", "name", "slug"]
    ordering = ["date", "slug"]

    def get_queryset(self):
        articles = TreatyArticle.objects.all()
        if self.action != "list":
            articles = articles.prefetch_related(*article_related())
        return super().get_queryset().prefetch_related(Prefetch("articles", queryset=articles))


@document(
    "treaty article",
    "treaty articles",
    "Treaty",
    "A treaty's articles as the source lists them: terms verbatim, the parties each binds, "
    "benefits or needs the consent of, the places it concerns, and its numbers as typed values.",
)
class TreatyArticleViewSet(RecordViewSet):
    queryset = TreatyArticle.objects.select_related("treaty").prefetch_related(*article_related())
    serializer_class = serializers.TreatyArticleSerializer
    filterset_class = filters.TreatyArticleFilter
    search_fields = ["terms"]
    ordering_fields = ["number", "slug"]
    ordering = ["treaty", "number"]
