"""Issue 17 part 4: predictive deployment (预判布防), standby posts; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import deployment_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("analytics/deployment/", deployment_views.deployment, name="deployment"),
    path("analytics/deployment/posts.json", deployment_views.deployment_posts, name="deployment-posts"),
]
