"""Showing the API's JSON on the reader's pages: a value of any shape as HTML, and a record's
API address as the address of its page here."""

from urllib.parse import urlparse

from django import template
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def page_url(api_url: str) -> str:
    """The reader's page for the record an API detail address names (else that address)."""
    try:
        match = resolve(urlparse(api_url).path)
    except Resolver404:
        return api_url
    if match.url_name and match.url_name.endswith("-detail") and "slug" in match.kwargs:
        return reverse("reader:record", args=[match.url_name.removesuffix("-detail"), match.kwargs["slug"]])
    return api_url


@register.filter
def label(name: str) -> str:
    """A JSON member's name as words: `date_julian` -> "date julian"."""
    return str(name).replace("_", " ")


@register.filter
def shown(value):
    """A JSON value as HTML: a link to a record as a link to its page, an object as a list of
    its members, a list as a list; what the data does not give, said so."""
    if value is None:
        return mark_safe('<span class="none">not given</span>')
    if value == "":
        return mark_safe('<span class="none">none</span>')
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if not value:
            return mark_safe('<span class="none">none</span>')
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((shown(item),) for item in value))
        )
    if isinstance(value, dict):
        if "url" in value and "name" in value:
            return format_html('<a href="{}">{}</a>', page_url(value["url"]), value["name"])
        members = ((label(name), shown(member)) for name, member in value.items() if name != "url")
        return format_html(
            '<dl class="members">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", members)
        )
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return format_html('<a href="{}">{}</a>', page_url(value), value)
    return str(value)
