"""The public's e-mail alerts and Atom feeds (partnership/views_alerts.py, feeds_atom.py)."""

from django.urls import path

from partnership import views_alerts as views
from partnership.feeds_atom import BodyFeed, NewsFeed

urlpatterns: list = [
    path("alerts/", views.alerts_index, name="alerts"),
    path("alerts/check-your-email/", views.alerts_check_email, name="alerts_check_email"),
    path("alerts/confirm/<str:secret>/", views.alerts_confirm, name="alerts_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alerts_unsubscribe, name="alerts_unsubscribe"),
    path("bodies/<slug:body>/alerts/", views.alerts_body, name="alerts_body"),
    path("bodies/<slug:body>/feed.atom", BodyFeed(), name="body_feed_atom"),
    path("news/alerts/", views.alerts_news, name="alerts_news"),
    path("news/feed.atom", NewsFeed(), name="news_feed_atom"),
]
