from django.urls import path

from governance import urls_library, urls_proposals, views

app_name = "governance"

M = "meetings/<int:pk>/"
B = "bodies/<slug:body>/"
R = "registers/interests/"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings.ics", views.feed_partnership, name="feed_partnership"),
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
    path(
        f"{M}interests/<int:interest>/register/",
        views.declaration_from_meeting,
        name="declaration_from_meeting",
    ),
    # The registers of interests and of gifts and hospitality.
    path("registers/", views.registers_home, name="registers_home"),
    path("registers/mine/", views.my_registers, name="my_registers"),
    path("registers/mine/confirm/", views.register_confirm, name="register_confirm"),
    path(f"{R}new/", views.declaration_create, name="declaration_create"),
    path(f"{R}<int:pk>/", views.declaration_detail, name="declaration"),
    path(f"{R}<int:pk>/update/", views.declaration_update, name="declaration_update"),
    path(f"{R}<int:pk>/end/", views.declaration_end, name="declaration_end"),
    path("registers/gifts/new/", views.gift_create, name="gift_create"),
    path("registers/settings/", views.register_settings, name="register_settings"),
    path("registers/disputes/", views.dispute_list, name="dispute_list"),
    path("registers/rulings/<int:pk>/dispute/", views.ruling_dispute, name="ruling_dispute"),
    path("registers/rulings/<int:pk>/settle/", views.ruling_settle, name="ruling_settle"),
    path(f"{B}register/", views.body_interests, name="body_interests"),
    path(f"{B}register/gifts/", views.body_gifts, name="body_gifts"),
    path(f"{B}register/export/", views.register_export, name="register_export"),
    path(f"{B}register/interests/<int:pk>/rule/", views.ruling_create, name="ruling_create"),
    *urls_proposals.urlpatterns,
    *urls_library.urlpatterns,
]
