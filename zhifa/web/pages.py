"""What every page view shares: login, domain errors shown as the friendly 403/404 pages, HTMX partials."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from zhifa.core.errors import DomainError, NotFound, PermissionDenied
from zhifa.org.jurisdiction import jurisdiction_of

PAGE_SIZE = 50

View = Callable[..., HttpResponseBase]


def page_view(view: View) -> View:
    """Login required; a selector's NotFound becomes the 404 page and PermissionDenied the 403 page with the
    selector's Chinese message (an account with no post is refused here, before the view runs). Out-of-scope records are NotFound on purpose:
    a street officer must not learn that another street's record exists."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if is_htmx(request):
                # A redirect would be followed by XHR and the login page swapped into the table; HTMX
                # navigates the whole window on HX-Redirect instead.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(request.get_full_path()).url
                return response
            return redirect_to_login(request.get_full_path())
        try:
            # No post, no page: every page shows data from the user's jurisdiction.
            jurisdiction_of(request.user)
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc
        except DomainError as exc:
            return render(request, "web/error.html", {"message": exc.message}, status=exc.status)

    return wrapped


def is_htmx(request: HttpRequest) -> bool:
    # HTMX sends HX-Request on every request it makes; history restores (HX-History-Restore-Request) want
    # the whole page back.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def paginate(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its ``results`` partial when HTMX refreshes the table."""
    name = f"{template}#results" if is_htmx(request) else template
    return render(request, name, context)
