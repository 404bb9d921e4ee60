from django.urls import path

from partnership import views_search

urlpatterns: list = [
    path("search/", views_search.search_page, name="search"),
]
