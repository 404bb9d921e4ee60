from django.urls import path

from performance import views

app_name = "performance"

P = "performance/"
B = "performance/bodies/<slug:body>/"
I = "performance/indicators/<int:pk>/"  # noqa: E741
R = "performance/indicators/<int:pk>/<slug:period>/"
T = "performance/reports/<int:pk>/"
K = "performance/key-partnerships/"
A = "performance/agreements/"

urlpatterns = [
    # Dashboards, an indicator's page and the public's open data (views/dashboards.py).
    path(P, views.dashboard, name="dashboard"),
    path(B, views.body_dashboard, name="body_dashboard"),
    path(I, views.indicator_detail, name="indicator"),
    path(f"{P}open-data.csv", views.open_data_csv, name="open_data_csv"),
    # Setting up: outcomes, delivery plans, indicators, targets, deadlines (views/setup.py).
    path(f"{P}outcomes/", views.outcome_list, name="outcome_list"),
    path(f"{P}outcomes/new/", views.outcome_create, name="outcome_create"),
    path(f"{P}outcomes/<int:pk>/", views.outcome_detail, name="outcome"),
    path(f"{P}outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path(f"{P}outcomes/<int:pk>/actions/new/", views.plan_action_create, name="plan_action_create"),
    path(f"{P}actions/<int:pk>/edit/", views.plan_action_edit, name="plan_action_edit"),
    path(f"{P}indicators/new/", views.indicator_create, name="indicator_create"),
    path(f"{I}edit/", views.indicator_edit, name="indicator_edit"),
    path(f"{I}targets/<int:year>/", views.targets_edit, name="targets_edit"),
    path(f"{B}deadlines/", views.deadlines_edit, name="deadlines"),
    # Importing and exporting indicators and targets (views/transfer.py).
    path(f"{P}import/", views.indicator_import, name="indicator_import"),
    path(f"{P}export/", views.indicator_export, name="indicator_export"),
    # Returns: writing, signing off, sending back, re-opening, delegating (views/returns.py).
    path(f"{B}returns/", views.body_returns, name="body_returns"),
    path(R, views.return_detail, name="return"),
    path(f"{R}rating/", views.return_rating, name="return_rating"),
    path(f"{R}sign-off/", views.return_sign_off, name="return_sign_off"),
    path(f"{R}send-back/", views.return_send_back, name="return_send_back"),
    path(f"{R}reopen/", views.return_reopen, name="return_reopen"),
    path(f"{R}delegate/", views.return_delegate, name="return_delegate"),
    # Reports: exception reports and their approval, rendering (views/reports.py).
    path(f"{P}reports/", views.report_list, name="report_list"),
    path(T, views.report_detail, name="report"),
    path(f"{T}edit/", views.report_edit, name="report_edit"),
    path(f"{T}submit/", views.report_submit, name="report_submit"),
    path(f"{T}review/", views.report_review, name="report_review"),
    path(f"{T}rebuild/", views.report_rebuild, name="report_rebuild"),
    path(f"{T}pdf/", views.report_pdf, name="report_pdf"),
    path(f"{T}render/", views.report_render, name="report_render"),
    path(f"{B}reports/new/", views.exception_report_create, name="exception_report_create"),
    # The Partnership Board's reports: six-monthly, annual, newsletter; publishing, the public
    # list and feed (views/board_reports.py).
    path(f"{P}reports/new/<slug:kind>/", views.board_report_create, name="board_report_create"),
    path(f"{T}meeting/", views.report_add_to_meeting, name="report_add_to_meeting"),
    path(f"{T}publish/", views.report_publish, name="report_publish"),
    path(f"{P}publications/", views.publication_list, name="publication_list"),
    path(f"{P}publications/feed.atom", views.PublicationFeed(), name="publication_feed"),
    # Risk registers: registers, heat maps, a risk's page and its steps (views/risks/).
    path(f"{P}risks/", views.risk_list, name="risk_list"),
    path(f"{P}risks/heat-map/", views.risk_heat_map, name="risk_heat_map"),
    path(f"{P}risks/settings/", views.risk_settings, name="risk_settings"),
    path(f"{B}risks/", views.body_risks, name="body_risks"),
    path(f"{B}risks/new/", views.risk_create, name="risk_create"),
    path(f"{B}risks/appetite/", views.risk_appetite, name="risk_appetite"),
    path(f"{P}risks/<int:pk>/", views.risk_detail, name="risk"),
    path(f"{P}risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path(f"{P}risks/<int:pk>/close/", views.risk_close, name="risk_close"),
    path(f"{P}risks/<int:pk>/review/", views.risk_review, name="risk_review"),
    path(f"{P}risks/<int:pk>/accept/", views.risk_accept, name="risk_accept"),
    path(f"{P}risks/<int:pk>/controls/new/", views.risk_control_create, name="risk_control_create"),
    path(f"{P}risks/controls/<int:pk>/edit/", views.risk_control_edit, name="risk_control_edit"),
    # A register's exports and import (CSV, XLSX) and its PDF (views/risks/transfer.py); the
    # public's summary of the registers, when the partnership publishes one (views/risks/public.py).
    path(f"{P}risks/export/", views.risk_export, name="risk_export"),
    path(f"{P}risks/import/", views.risk_import, name="risk_import"),
    path(f"{B}risks/pdf/", views.risk_register_pdf, name="risk_register_pdf"),
    path(f"{P}risks/summary/", views.risk_summary, name="risk_summary"),
    # The register of key partnerships (views/partnerships/register.py), its reviews
    # (views/partnerships/reviews.py) and its PDF (views/reports/, the report machinery).
    path(K, views.key_partnership_list, name="key_partnership_list"),
    path(f"{K}new/", views.key_partnership_create, name="key_partnership_create"),
    path(f"{K}settings/", views.key_partnership_settings, name="key_partnership_settings"),
    path(f"{K}export/", views.key_partnership_export, name="key_partnership_export"),
    path(f"{K}pdf/", views.key_partnership_register_pdf, name="key_partnership_register_pdf"),
    path(f"{K}<int:pk>/", views.key_partnership, name="key_partnership"),
    path(f"{K}<int:pk>/edit/", views.key_partnership_edit, name="key_partnership_edit"),
    path(f"{K}<int:pk>/end/", views.key_partnership_end, name="key_partnership_end"),
    path(f"{K}<int:pk>/memorandum/", views.key_partnership_mou, name="key_partnership_mou"),
    path(
        f"{K}<int:pk>/reviews/new/",
        views.key_partnership_review_create,
        name="key_partnership_review_create",
    ),
    path(f"{K}reviews/<int:pk>/", views.key_partnership_review, name="key_partnership_review"),
    path(
        f"{K}review-actions/<int:pk>/done/",
        views.key_partnership_action_done,
        name="key_partnership_action_done",
    ),
    # Commissioning agreements (views/partnerships/agreements.py).
    path(A, views.agreement_list, name="agreement_list"),
    path(f"{A}new/", views.agreement_create, name="agreement_create"),
    path(f"{A}export/", views.agreement_export, name="agreement_export"),
    path(f"{A}<int:pk>/", views.agreement, name="agreement"),
    path(f"{A}<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path(f"{A}reviews/<int:pk>/", views.agreement_review, name="agreement_review"),
]
