from django.db.models import Prefetch

from api.docs import document
from api.viewsets import RecordViewSet, citations_prefetch
from events.models import Figure
from treaties import filters, serializers
from treaties.models import TermParty, Treaty, TreatyTerm


def term_related():
    return [
        Prefetch("party_roles", queryset=TermParty.objects.select_related("party")),
        "places",
        Prefetch("figures", queryset=Figure.objects.for_display()),
        citations_prefetch(),
    ]


@document(
    "treaty",
    "treaties",
    "Treaty",
    "Treaties: when they were signed (to the precision the source gives), who arranged the talks, "
    "and their terms as the source summarises them. The detail gives every term in full.",
)
class TreatyViewSet(RecordViewSet):
    queryset = Treaty.objects.select_related("signed_at", "arranged_by").prefetch_related(
        "parties", citations_prefetch()
    )
    serializer_class = serializers.TreatySerializer
    detail_serializer_class = serializers.TreatyDetailSerializer
    filterset_class = filters.TreatyFilter
    search_fields = ["name"]
    ordering_fields = ["date", "name", "slug", "sequence"]
    ordering = ["date", "slug"]

    def get_queryset(self):
        terms = TreatyTerm.objects.all()
        if self.action != "list":
            terms = terms.prefetch_related(*term_related())
        return super().get_queryset().prefetch_related(Prefetch("terms", queryset=terms))


@document(
    "treaty term",
    "treaty terms",
    "Treaty",
    'A treaty\'s terms as the source summarises them ("Terms were as follows:"), numbered (1), '
    "(2), ... as the source numbers them: the source's words verbatim, the parties each binds, "
    "benefits or needs the consent of, the places it concerns, and its numbers as typed values. "
    "These are not the treaty's articles, which are not in the dataset yet; when they are, each "
    "term will link to the article or articles it summarises.",
)
class TreatyTermViewSet(RecordViewSet):
    queryset = TreatyTerm.objects.select_related("treaty").prefetch_related(*term_related())
    serializer_class = serializers.TreatyTermSerializer
    filterset_class = filters.TreatyTermFilter
    search_fields = ["wording"]
    ordering_fields = ["number", "slug", "sequence"]
    ordering = ["treaty", "number"]
