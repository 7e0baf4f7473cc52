"""`{% url %}` with the URLs that take no argument reversed once per process.

A template builtin (settings.TEMPLATES), so it stands in for Django's own `url` tag in
every template. A page's header, navigation, time-zone forms and footer link the same
fixed URLs on every render (25 of a paper page's 38 reversals), and a reverse costs as
much as rendering a dozen variables; `portal.page_cache.fixed_url` memoises them per
script prefix, URLconf and current app. A URL with arguments, or `as var`, is reversed
as before.
"""

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.utils.html import conditional_escape

from portal.page_cache import fixed_url

register = template.Library()


class FixedURLNode(URLNode):
    def render(self, context):
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = fixed_url(self.view_name.resolve(context), current_app=current_app)
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return FixedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
