"""The partnership's news (partnership/views_news.py)."""

from django.urls import path

from partnership import views_news as views

urlpatterns: list = [
    path("news/", views.news_list, name="news_list"),
    path("news/new/", views.news_create, name="news_create"),
    path("news/<int:pk>/", views.news_item, name="news_item"),
    path("news/<int:pk>/edit/", views.news_edit, name="news_edit"),
    path("news/<int:pk>/publish/", views.news_publish, name="news_publish"),
]
