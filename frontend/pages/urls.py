"""The pages of a municipality's host (namespace ``pages``)."""

from django.urls import path

from frontend.pages import councils, crises, key_figures, notices, overview, portal, selection, signals

app_name = "pages"

urlpatterns = [
    path("dashboard/", overview.dashboard, name="dashboard"),
    path("netwerk/", overview.network, name="network"),
    path("overleggen/", councils.council_list, name="councils"),
    path("overleggen/<str:council_id>/", councils.council_detail, name="council"),
    path("overleggen/<str:council_id>/contacten.vcf", councils.council_vcard, name="council-vcard"),
    path("sleutelfiguren/", key_figures.key_figure_list, name="key-figures"),
    path("sleutelfiguren/nieuw/", key_figures.key_figure_create, name="key-figure-new"),
    path("sleutelfiguren/<str:key_figure_id>/", key_figures.key_figure_detail, name="key-figure"),
    path("sleutelfiguren/<str:key_figure_id>/wijzigen/", key_figures.key_figure_edit, name="key-figure-edit"),
    path("signalen/", signals.signal_list, name="signals"),
    path("signalen/nieuw/", signals.signal_create, name="signal-new"),
    path("signalen/<str:signal_id>/", signals.signal_detail, name="signal"),
    path("meldingen/", notices.notice_list, name="notices"),
    path("meldingen/nieuw/", notices.notice_create, name="notice-new"),
    path("meldingen/<str:notice_id>/", notices.notice_detail, name="notice"),
    path("selectie/", selection.selection, name="selection"),
    path("selectie/<str:case_id>/", selection.case_detail, name="case"),
    # /crises/<id>/ is the link in every call (tenants.crises.actions.convening.room_link).
    path("crises/<str:crisis_id>/", crises.crisis_room, name="crisis"),
    path("crises/<str:crisis_id>/antwoord/", crises.crisis_answer, name="crisis-answer"),
    path("crises/<str:crisis_id>/bericht/", crises.crisis_post, name="crisis-post"),
    path("crises/<str:crisis_id>/samenvatting/", crises.crisis_summary, name="crisis-summary"),
    path("crises/<str:crisis_id>/oproepen/", crises.crisis_contact, name="crisis-contact"),
    path("crises/<str:crisis_id>/sluiten/", crises.crisis_close, name="crisis-close"),
    path("mijn/", portal.portal, name="portal"),
    path("mijn/signalen/", signals.portal_signals, name="portal-signals"),
    path("mijn/signalen/<str:signal_id>/", signals.portal_signal, name="portal-signal"),
    path("mijn/berichten/<str:notice_id>/gelezen/", portal.confirm_notice, name="confirm-notice"),
]
