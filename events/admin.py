from django.contrib import admin

from api.admin import CitedAdmin, links_inline, places_inline, record_links_inline
from api.registry import judgeable_models
from events.models import (
    Belligerent,
    Claim,
    ClaimPlace,
    Counterproposal,
    CounterproposalPlace,
    Engagement,
    EngagementPlace,
    Event,
    EventParty,
    EventPlace,
    Figure,
    JudgedRecord,
    Negotiation,
    Party,
    Place,
    Proposal,
    ProposalPlace,
    Response,
    Statement,
)


class ProposalInline(admin.TabularInline):
    model = Proposal
    fields = ["number", "slug", "party", "terms"]
    autocomplete_fields = ["party"]
    extra = 0


class CounterproposalInline(ProposalInline):
    model = Counterproposal


ResponseInline = links_inline(Response, "proposal")


@admin.register(Party)
class PartyAdmin(CitedAdmin):
    list_display = ["name", "slug", "kind", "role", "role_basis", "part_of", "territory"]
    list_filter = ["kind", "role", "role_basis"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["part_of", "territory"]


@admin.register(Place)
class PlaceAdmin(CitedAdmin):
    list_display = ["name", "slug", "kind", "part_of", "modern_name", "latitude", "longitude"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "modern_name"]
    autocomplete_fields = ["part_of"]


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
    inlines = [places_inline(ProposalPlace)]


@admin.register(Counterproposal)
class CounterproposalAdmin(ProposalAdmin):
    inlines = [ResponseInline, places_inline(CounterproposalPlace)]


@admin.register(Event)
class EventAdmin(CitedAdmin):
    list_display = ["name", "slug", "kind", "date", "date_precision", "negotiation"]
    list_filter = ["kind", "date_precision", "negotiation"]
    search_fields = ["name", "slug", "description", "note"]
    autocomplete_fields = ["negotiation"]
    inlines = [links_inline(EventParty, "party", "role"), places_inline(EventPlace)]


@admin.register(Engagement)
class EngagementAdmin(CitedAdmin):
    list_display = ["number", "name", "slug", "kind", "date", "victor"]
    list_filter = ["kind", "victor"]
    search_fields = ["name", "slug", "outcome"]
    autocomplete_fields = ["victor"]
    inlines = [links_inline(Belligerent, "party", "side"), places_inline(EngagementPlace)]


@admin.register(Figure)
class FigureAdmin(CitedAdmin):
    list_display = ["slug", "measure", "value", "unit", "party", "subject_type", "subject"]
    list_filter = ["measure", "unit", "party", "subject_type"]
    search_fields = ["slug", "measure", "description"]
    autocomplete_fields = ["party"]


@admin.register(Statement)
class StatementAdmin(CitedAdmin):
    list_display = ["slug", "kind", "scope", "subject_type", "subject", "source", "date", "text"]
    list_filter = ["kind", "subject_type", "source"]
    search_fields = ["slug", "scope", "text", "note"]
    autocomplete_fields = ["party", "source"]


@admin.register(Claim)
class ClaimAdmin(CitedAdmin):
    list_display = ["name", "slug", "is_interpretation"]
    list_filter = ["is_interpretation", "parties"]
    search_fields = ["name", "slug", "statement"]
    autocomplete_fields = ["parties"]
    inlines = [places_inline(ClaimPlace), record_links_inline(JudgedRecord, judgeable_models)]
