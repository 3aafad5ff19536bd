"""Issue 13 parts 2, 4, 8: credit commitments, joint rewards and punishments, the 大综点评 board; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import credit_board_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "credit/subjects/<int:subject_id>/commitments/",
        credit_board_views.subject_commitments,
        name="credit-commitments",
    ),
    path("credit/commitment-templates/", credit_board_views.templates, name="credit-commitment-templates"),
    path("credit/key-supervision/", credit_board_views.key_supervision, name="credit-key-supervision"),
    path("public/credit/board/", credit_board_views.public_board, name="public-credit-board"),
    path(
        "public/credit/board/subjects/<int:subject_id>/",
        credit_board_views.public_board_history,
        name="public-credit-board-history",
    ),
]
