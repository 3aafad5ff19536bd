"""On-the-spot penalties on the officer's phone, the party's own view of its case, and published decisions:
included from ``zhifa.web.urls``."""

urlpatterns: list[object] = []
