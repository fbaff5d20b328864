from django.contrib import admin

from api.admin import CitedAdmin
from treaties.models import ArticleParty, Treaty, TreatyArticle


class ArticleInline(admin.StackedInline):
    model = TreatyArticle
    fields = ["number", "slug", "terms", "places"]
    autocomplete_fields = ["places"]
    extra = 0
    show_change_link = True


class ArticlePartyInline(admin.TabularInline):
    model = ArticleParty
    fields = ["party", "role"]
    autocomplete_fields = ["party"]
    extra = 0


@admin.register(Treaty)
class TreatyAdmin(CitedAdmin):
    list_display = ["name", "slug", "date", "date_precision", "signed_at", "arranged_by"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["signed_at", "arranged_by", "parties"]
    inlines = [ArticleInline]


@admin.register(TreatyArticle)
class TreatyArticleAdmin(CitedAdmin):
    list_display = ["treaty", "number", "slug", "terms"]
    list_filter = ["treaty"]
    search_fields = ["slug", "terms"]
    autocomplete_fields = ["treaty", "places"]
    inlines = [ArticlePartyInline]
