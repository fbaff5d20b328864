from django.contrib import admin

from api.admin import CitedAdmin
from treaties.models import TermParty, Treaty, TreatyTerm


class TermInline(admin.StackedInline):
    model = TreatyTerm
    fields = ["number", "slug", "wording", "places"]
    autocomplete_fields = ["places"]
    extra = 0
    show_change_link = True


class TermPartyInline(admin.TabularInline):
    model = TermParty
    fields = ["party", "role"]
    autocomplete_fields = ["party"]
    extra = 0


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
    autocomplete_fields = ["treaty", "places"]
    inlines = [TermPartyInline]
