"""The document library (issue 17): a body's and the partnership's, a document's page, its
versions' files and the co-ordinators' pages; and papers' earlier versions and supplementary
papers. Included by the app's urls.py, under its namespace. The URL names are in
tests/governance/test_library_views.py LIBRARY_URLS."""

from django.urls import path

from governance.views import library as views

D = "documents/<int:pk>/"
P = "meetings/<int:pk>/papers/<int:paper>/"

urlpatterns: list = [
    path("documents/", views.library_partnership, name="library"),
    path("documents/new/", views.library_create, name="library_create"),
    path("bodies/<slug:body>/documents/", views.library_body, name="body_library"),
    path(
        "bodies/<slug:body>/documents/new/", views.body_library_create, name="body_library_create"
    ),
    path(D, views.library_document, name="library_document"),
    path(f"{D}edit/", views.library_document_edit, name="library_document_edit"),
    path(f"{D}withdraw/", views.library_document_withdraw, name="library_document_withdraw"),
    path(f"{D}versions/new/", views.library_version_create, name="library_version_create"),
    path(
        f"{D}versions/<int:version>/file/", views.library_version_file, name="library_version_file"
    ),
    path(f"{P}versions/<int:number>/file/", views.paper_version_file, name="paper_version_file"),
    path(
        "meetings/<int:pk>/items/<int:item>/papers/supplementary/",
        views.paper_supplementary_create,
        name="paper_supplementary_create",
    ),
]
