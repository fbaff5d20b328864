from django.db.models import Prefetch

from api.docs import document
from api.viewsets import RecordViewSet, citations_prefetch
from events.models import Figure, Statement
from treaties import filters, serializers
from treaties.models import (
    ArticleParty,
    ArticlePlace,
    SettledCounterproposal,
    SettledRequest,
    TermArticle,
    TermParty,
    TermPlace,
    Transfer,
    Treaty,
    TreatyArticle,
    TreatyTerm,
)


def term_related():
    return [
        Prefetch("party_roles", queryset=TermParty.objects.select_related("party")),
        Prefetch("place_links", queryset=TermPlace.objects.select_related("place")),
        Prefetch("transfers", queryset=Transfer.objects.select_related("place", "from_party", "to_party")),
        Prefetch("settledrequest_links", queryset=SettledRequest.objects.select_related("proposal")),
        Prefetch(
            "settledcounterproposal_links",
            queryset=SettledCounterproposal.objects.select_related("counterproposal"),
        ),
        Prefetch("article_links", queryset=TermArticle.objects.select_related("article")),
        Prefetch("figures", queryset=Figure.objects.for_display()),
        citations_prefetch(),
    ]


@document(
    "treaty",
    "treaties",
    "Treaty",
    "Treaties: when they were signed (to the precision the source gives), who arranged the talks, "
    "their own articles, and their terms as the source summarises them. The detail gives every "
    "term in full.",
)
class TreatyViewSet(RecordViewSet):
    linked_data_type = "Legislation"
    queryset = Treaty.objects.select_related("signed_at", "arranged_by").prefetch_related(
        "parties", citations_prefetch(), Prefetch("statements", queryset=Statement.objects.for_display())
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
        return super().get_queryset().prefetch_related(Prefetch("terms", queryset=terms), "articles")


@document(
    "treaty term",
    "treaty terms",
    "Treaty",
    'A treaty\'s terms as the source summarises them ("Terms were as follows:"), numbered (1), '
    "(2), ... as the source numbers them: the source's words verbatim, the parties each binds, "
    "benefits or needs the consent of, the places it concerns, and its numbers as typed values. "
    "These are not the treaty's articles: each term links to the article or articles it "
    "summarises (`articles`), as our reading, since the source names none.",
)
class TreatyTermViewSet(RecordViewSet):
    linked_data_type = "Legislation"
    queryset = TreatyTerm.objects.select_related("treaty").prefetch_related(*term_related())
    serializer_class = serializers.TreatyTermSerializer
    filterset_class = filters.TreatyTermFilter
    search_fields = ["wording"]
    ordering_fields = ["number", "slug", "sequence"]
    ordering = ["treaty", "number"]


@document(
    "treaty article",
    "treaty articles",
    "Treaty",
    "A treaty's own articles (the Treaty of Portsmouth: Articles I to XV and Additional Articles I "
    "and II), each with a one-line subject in the dataset's words, not the treaty's text, which "
    "is not held: its citations give where the references print it. The subject is null where "
    "the references read so far give none. `summarised_by` names the source's terms that "
    "summarise the article; `?term=` lists the articles of a term.",
)
class TreatyArticleViewSet(RecordViewSet):
    linked_data_type = "Legislation"
    queryset = TreatyArticle.objects.select_related("treaty").prefetch_related(
        Prefetch("party_roles", queryset=ArticleParty.objects.select_related("party")),
        Prefetch("place_links", queryset=ArticlePlace.objects.select_related("place")),
        Prefetch("term_links", queryset=TermArticle.objects.select_related("record")),
        citations_prefetch(),
    )
    serializer_class = serializers.TreatyArticleSerializer
    filterset_class = filters.TreatyArticleFilter
    search_fields = ["subject"]
    ordering_fields = ["number", "slug", "sequence"]
    ordering = ["treaty", "additional", "number"]
