"""Template helpers used across apps."""

from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bhrplan.core.models import localized

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context: dict[str, Any], lang_code: str) -> str:
    """This page's URL in another language, keeping the query string."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return f"/{lang_code}/"
    url = translate_url(request.get_full_path(), lang_code)
    return url


@register.filter
def loc(obj: Any, field: str) -> str:
    """`{{ action|loc:"title" }}` → the field in the active language, with fallback."""
    return localized(obj, field)


@register.simple_tag
def current_language() -> str:
    return (get_language() or "es")[:2]


@register.simple_tag(takes_context=True)
def querystring_with(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some keys replaced (empty value removes the key)."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def querystring_page(context: dict[str, Any], param: str, number: int) -> str:
    """The current query string with page parameter `param` set to `number` (a page
    that shows two paginated lists names each list's pages differently)."""
    return querystring_with(context, **{param: number})


@register.filter
def share(part: int | None, total: int | None) -> str:
    """A count with its share of a total: `359|share:1077` → "359 (33 %)" (localized)."""
    count = int(part or 0)
    if not total:
        return number_format(count)
    percent = _("%(value)s %%") % {"value": number_format(round(100 * count / total))}
    return f"{number_format(count)} ({percent})"
