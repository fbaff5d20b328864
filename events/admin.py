from django.contrib import admin

from api.admin import CitedAdmin, record_links_inline
from api.registry import judgeable_models
from events.models import (
    Claim,
    Counterproposal,
    Engagement,
    Event,
    Figure,
    JudgedRecord,
    Negotiation,
    Party,
    Place,
    Proposal,
    Response,
)


class ProposalInline(admin.TabularInline):
    model = Proposal
    fields = ["number", "slug", "party", "terms"]
    autocomplete_fields = ["party"]
    extra = 0


class CounterproposalInline(ProposalInline):
    model = Counterproposal


class ResponseInline(admin.TabularInline):
    model = Response
    fields = ["proposal", "basis", "rationale"]
    autocomplete_fields = ["proposal"]
    extra = 0


@admin.register(Party)
class PartyAdmin(CitedAdmin):
    list_display = ["name", "slug", "kind", "role", "part_of"]
    list_filter = ["kind", "role"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["part_of"]


@admin.register(Place)
class PlaceAdmin(CitedAdmin):
    list_display = ["name", "slug", "kind", "modern_name", "latitude", "longitude"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "modern_name"]


@admin.register(Negotiation)
class NegotiationAdmin(CitedAdmin):
    list_display = [
        "name",
        "initiated_by",
        "counterparty",
        "date",
        "date_precision",
        "ended",
        "ended_precision",
    ]
    search_fields = ["name", "slug", "outcome"]
    autocomplete_fields = ["initiated_by", "counterparty"]
    inlines = [ProposalInline, CounterproposalInline]


@admin.register(Proposal)
class ProposalAdmin(CitedAdmin):
    list_display = ["name", "slug", "negotiation", "party", "terms"]
    list_filter = ["negotiation", "party"]
    search_fields = ["slug", "terms"]
    autocomplete_fields = ["negotiation", "party"]


@admin.register(Counterproposal)
class CounterproposalAdmin(ProposalAdmin):
    inlines = [ResponseInline]


@admin.register(Event)
class EventAdmin(CitedAdmin):
    list_display = ["name", "slug", "kind", "date", "date_precision", "negotiation"]
    list_filter = ["kind", "date_precision", "negotiation"]
    search_fields = ["name", "slug", "description", "note"]
    autocomplete_fields = ["negotiation", "parties", "places"]


@admin.register(Engagement)
class EngagementAdmin(CitedAdmin):
    list_display = ["number", "name", "slug", "kind", "date", "victor"]
    list_filter = ["kind", "victor"]
    search_fields = ["name", "slug", "outcome"]
    autocomplete_fields = ["places", "belligerents", "victor"]


@admin.register(Figure)
class FigureAdmin(CitedAdmin):
    list_display = ["slug", "measure", "value", "unit", "party", "subject_type", "subject"]
    list_filter = ["measure", "unit", "party", "subject_type"]
    search_fields = ["slug", "measure", "description"]
    autocomplete_fields = ["party"]


@admin.register(Claim)
class ClaimAdmin(CitedAdmin):
    list_display = ["name", "slug", "is_interpretation"]
    list_filter = ["is_interpretation", "parties"]
    search_fields = ["name", "slug", "statement"]
    autocomplete_fields = ["parties", "places"]
    inlines = [record_links_inline(JudgedRecord, judgeable_models)]
