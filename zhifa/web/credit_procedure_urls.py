"""Issue 13 parts 5–7: the serious dishonesty list procedure, objections and credit repair, the business's own
credit view; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import credit_procedure_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    # the business (经营主体)
    path("credit/my/", views.my_credit, name="credit-my"),
    path("credit/my/<int:subject_id>/", views.my_file, name="credit-my-file"),
    path(
        "credit/my/<int:subject_id>/entries/<int:entry_id>/objection/",
        views.my_objection,
        name="credit-my-objection",
    ),
    path("credit/my/<int:subject_id>/entries/<int:entry_id>/repair/", views.my_repair, name="credit-my-repair"),
    path("credit/my/listings/<int:listing_id>/", views.my_listing, name="credit-my-listing"),
    path("credit/my/listings/<int:listing_id>/<str:paper>.pdf", views.my_listing_paper, name="credit-my-listing-paper"),
    path("credit/attachments/<int:attachment_id>/", views.attachment, name="credit-attachment"),
    # staff (信用管理)
    path("credit/procedures/", views.procedures, name="credit-procedures"),
    path("credit/objections/<int:objection_id>/", views.objection_detail, name="credit-objection"),
    path("credit/repairs/<int:repair_id>/", views.repair_detail, name="credit-repair"),
    path("credit/subjects/<int:subject_id>/listing/new/", views.listing_new, name="credit-listing-new"),
    path("credit/listings/<int:listing_id>/", views.listing_detail, name="credit-listing"),
    path("credit/listings/<int:listing_id>/<str:paper>.pdf", views.listing_paper, name="credit-listing-paper"),
    # public
    path("public/credit/dishonesty/", views.public_dishonesty, name="public-credit-dishonesty"),
]
