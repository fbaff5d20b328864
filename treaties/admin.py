from django.contrib import admin

from api.admin import CitedAdmin, links_inline, places_inline
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


class TermInline(admin.StackedInline):
    model = TreatyTerm
    fields = ["number", "slug", "wording"]
    extra = 0
    show_change_link = True


@admin.register(Treaty)
class TreatyAdmin(CitedAdmin):
    list_display = ["name", "slug", "date", "date_precision", "signed_at", "arranged_by"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["signed_at", "arranged_by", "parties"]
    inlines = [TermInline]


@admin.register(TreatyTerm)
class TreatyTermAdmin(CitedAdmin):
    list_display = ["treaty", "number", "slug", "wording"]
    list_filter = ["treaty"]
    search_fields = ["slug", "wording"]
    autocomplete_fields = ["treaty"]
    inlines = [
        links_inline(TermParty, "party", "role"),
        places_inline(TermPlace),
        links_inline(Transfer, "what", "place", "from_party", "to_party"),
        links_inline(SettledRequest, "proposal"),
        links_inline(SettledCounterproposal, "counterproposal"),
        links_inline(TermArticle, "article", "role"),
    ]


@admin.register(TreatyArticle)
class TreatyArticleAdmin(CitedAdmin):
    list_display = ["treaty", "additional", "number", "slug", "subject"]
    list_filter = ["treaty", "additional"]
    search_fields = ["slug", "subject"]
    autocomplete_fields = ["treaty"]
    inlines = [links_inline(ArticleParty, "party", "role"), places_inline(ArticlePlace)]
