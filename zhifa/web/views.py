"""Page views: parse the request, call selectors, render. Scoping to the user's jurisdiction lives in the
selectors; nothing here queries a model."""

import datetime as dt

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zhifa.catalog.models import Domain, PenaltyKind, SubjectCategory
from zhifa.catalog.selectors import matter_get, matter_list
from zhifa.core.identifiers import mask_id_number
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.org.selectors import department_list, officer_get, officer_list, sinking_share, street_list, zone_list
from zhifa.subjects.selectors import subject_get, subject_list, subject_matters
from zhifa.web import geojson
from zhifa.web.forms import LoginForm, MatterFilterForm, OfficerFilterForm, SubjectFilterForm
from zhifa.web.pages import page_view, paginate, render_list


class LoginView(auth_views.LoginView):
    """Sign-in. Officers and auxiliary staff work from a phone: without an explicit ``next`` they land on
    the phone's task list (/m/), not on the desktop home page."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        profile = getattr(self.request.user, "profile", None)
        if profile is not None and profile.role in (Role.OFFICER, Role.AUXILIARY):
            return reverse("web:phone-tasks")
        return super().get_default_redirect_url()


@page_view
def home(request: HttpRequest) -> HttpResponse:
    scope = jurisdiction_of(request.user)
    context = {
        "subject_count": subject_list(user=request.user).count(),
        "matter_count": matter_list(user=request.user).count(),
        "officer_count": officer_list(user=request.user).count(),
        "sinking_share": sinking_share(district_id=scope.district_id),
    }
    return render(request, "web/home.html", context)


@page_view
def subjects(request: HttpRequest) -> HttpResponse:
    form = SubjectFilterForm(request.GET, streets=street_list(user=request.user))
    rows = subject_list(user=request.user, **form.filters())
    return render_list(request, "web/subject_list.html", {"form": form, "page": paginate(request, rows)})


@page_view
def subject_detail(request: HttpRequest, subject_id: int) -> HttpResponse:
    subject = subject_get(user=request.user, subject_id=subject_id)
    context = {
        "subject": subject,
        "id_number_masked": mask_id_number(subject.id_number) if subject.id_number else "",
        "licences": list(subject.licences.all()),
        "matters": subject_matters(subject=subject),
        "point": {"lon": subject.lon, "lat": subject.lat, "name": subject.name},
        "today": timezone.localdate(),
    }
    return render(request, "web/subject_detail.html", context)


@page_view
def matters(request: HttpRequest) -> HttpResponse:
    form = MatterFilterForm(request.GET, departments=department_list(user=request.user))
    rows = matter_list(user=request.user, **form.filters())
    context = {"form": form, "page": paginate(request, rows), "domains": dict(Domain.choices)}
    return render_list(request, "web/matter_list.html", context)


@page_view
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = matter_get(user=request.user, matter_id=matter_id)
    context = {
        "matter": matter,
        "levels": list(matter.discretion_levels.all()),
        "checklist": list(matter.checklist.all()),
        "penalty_kinds": _penalty_kind_labels(matter.penalty_kinds),
        "subject_categories": _category_labels(matter.subject_categories),
    }
    return render(request, "web/matter_detail.html", context)


@page_view
def officers(request: HttpRequest) -> HttpResponse:
    form = OfficerFilterForm(
        request.GET, streets=street_list(user=request.user), departments=department_list(user=request.user)
    )
    rows = officer_list(user=request.user, **form.filters())
    context = {"form": form, "page": paginate(request, rows), "today": timezone.localdate()}
    return render_list(request, "web/officer_list.html", context)


@page_view
def officer_detail(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = officer_get(user=request.user, officer_id=officer_id)
    today = timezone.localdate()
    context = {
        "officer": officer,
        "is_certificate_expired": officer.certificate_valid_until < today,
        # A certificate that lapses within 90 days needs renewal training booked now.
        "is_certificate_expiring": today <= officer.certificate_valid_until < today + dt.timedelta(days=90),
    }
    return render(request, "web/officer_detail.html", context)


@page_view
def map_page(request: HttpRequest) -> HttpResponse:
    focus = None
    raw = request.GET.get("subject", "")
    if raw.isdigit():
        subject = subject_get(user=request.user, subject_id=int(raw))
        focus = geojson.subject_feature(subject)
    context = {
        "focus": focus,
        "legend": [
            (label, geojson.CATEGORY_COLOURS.get(value, geojson.DEFAULT_COLOUR))
            for value, label in SubjectCategory.choices
        ],
    }
    return render(request, "web/map.html", context)


@page_view
def map_layers(request: HttpRequest) -> JsonResponse:
    """District outline, streets and zones the user may see, as three FeatureCollections."""
    district = request.user.profile.district  # type: ignore[union-attr]
    streets = list(street_list(user=request.user))
    zones = list(zone_list(user=request.user))
    return JsonResponse(
        {
            "district": geojson.collection(
                [
                    geojson.boundary_feature(
                        district.boundary, name=district.name, is_approximate=district.is_approximate
                    )
                ]
            ),
            "streets": geojson.collection(
                geojson.boundary_feature(s.boundary, id=s.pk, name=s.name, is_approximate=s.is_approximate)
                for s in streets
            ),
            "zones": geojson.collection(
                geojson.boundary_feature(z.boundary, id=z.pk, name=z.name, street=z.street.name) for z in zones
            ),
        }
    )


@page_view
def map_subjects(request: HttpRequest) -> JsonResponse:
    """Subjects in the user's scope: all of them up to ``ALL_SUBJECTS_LIMIT``, beyond that those in ``bbox``.
    ``is_complete`` tells the map whether it must ask again when the view moves."""
    rows = subject_list(user=request.user)
    is_complete = rows.count() <= geojson.ALL_SUBJECTS_LIMIT
    bbox = geojson.parse_bbox(request.GET.get("bbox"))
    if not is_complete and bbox is not None:
        west, south, east, north = bbox
        # Narrows the selector's already-scoped rows; never widens them.
        rows = rows.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    features = [geojson.subject_feature(s) for s in rows[: geojson.ALL_SUBJECTS_LIMIT]]
    return JsonResponse(geojson.collection(features, is_complete=is_complete))


def _penalty_kind_labels(values: list[str]) -> list[str]:
    labels = dict(PenaltyKind.choices)
    return [labels.get(v, v) for v in values]


def _category_labels(values: list[str]) -> list[str]:
    labels = dict(SubjectCategory.choices)
    return [labels.get(v, v) for v in values]
