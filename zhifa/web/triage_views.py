"""人工研判: the command centre's human triage queue — events triage could not route with confidence, each
with the model's candidates and a one-step correction — and the count of the desk's corrections, every one of
which becomes a training example for ``manage.py retrain_triage``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhifa.events.permissions import can_command_events
from zhifa.events.triage_selectors import candidates_of, correction_counts, kind_list, triage_queue
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.web.pages import page_view, paginate


@page_view
def queue(request: HttpRequest) -> HttpResponse:
    require(
        can_command_events(jurisdiction_of(request.user)),
        "只有指挥中心或街道调度员可以进行人工研判",
        code="triage_not_allowed",
    )
    kinds = kind_list(user=request.user)
    page = paginate(request, triage_queue(user=request.user))
    rows = [(event, candidates_of(event, kinds)) for event in page]
    return render(
        request,
        "web/triage/queue.html",
        {
            "page": page,
            "rows": rows,
            "kinds": kinds,
            "counts": correction_counts(user=request.user, now=timezone.now()),
            "next": request.get_full_path(),
        },
    )
