from django.urls import path

from governance import views

app_name = "governance"

M = "meetings/<int:pk>/"
B = "bodies/<slug:body>/"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings.ics", views.feed_partnership, name="feed_partnership"),
    path("search/", views.search, name="search"),
    path(f"{B}meetings/", views.body_meetings, name="body_meetings"),
    path(f"{B}meetings.ics", views.feed_body, name="feed_body"),
    path(f"{B}meetings/new/", views.meeting_create, name="meeting_create"),
    path(f"{B}decisions/", views.decisions_log, name="decisions_log"),
    path(f"{B}actions/", views.action_log, name="action_log"),
    path(f"{B}attendance/", views.attendance_report, name="attendance_report"),
    path(M, views.meeting_detail, name="meeting"),
    path(f"{M}edit/", views.meeting_edit, name="meeting_edit"),
    path(f"{M}publish/", views.meeting_publish, name="meeting_publish"),
    path(f"{M}cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{M}circulate/", views.papers_circulate, name="papers_circulate"),
    path(f"{M}items/new/", views.item_create, name="item_create"),
    path(f"{M}items/<int:item>/edit/", views.item_edit, name="item_edit"),
    path(f"{M}items/<int:item>/move/", views.item_move, name="item_move"),
    path(f"{M}items/<int:item>/papers/new/", views.paper_create, name="paper_create"),
    path(f"{M}papers/<int:paper>/", views.paper_detail, name="paper"),
    path(f"{M}papers/<int:paper>/edit/", views.paper_edit, name="paper_edit"),
    path(f"{M}papers/<int:paper>/file/", views.paper_file, name="paper_file"),
    path(f"{M}apologies/", views.apologies, name="apologies"),
    path(f"{M}attendance/", views.attendance, name="attendance"),
    path(f"{M}interests/new/", views.interest_create, name="interest_create"),
    path(f"{M}actions/new/", views.action_create, name="action_create"),
    path(f"{M}actions/<int:action>/done/", views.action_done, name="action_done"),
    path(f"{M}minutes/", views.minutes_edit, name="minutes_edit"),
    path(f"{M}minutes/review/", views.minutes_review, name="minutes_review"),
    path(f"{M}minutes/correct/", views.minutes_correct, name="minutes_correct"),
    path(f"{M}agenda.pdf", views.agenda_pack_pdf, name="agenda_pack_pdf"),
    path(f"{M}minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
]
