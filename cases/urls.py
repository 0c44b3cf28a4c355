from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/next/", views.inbox_next, name="inbox_next"),
    path("new/", views.referral_create, name="create"),
    path("access-history/", views.participant_access_history, name="access_history"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/print/", views.referral_print, name="print"),
    path("<int:pk>/edit/", views.referral_edit, name="edit"),
    path("<int:pk>/take-over/", views.referral_take_over, name="take_over"),
    path("<int:pk>/decide/", views.referral_decide, name="decide"),
    path("<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("<int:pk>/consents/withdraw-all/", views.consent_withdraw_all, name="consent_withdraw_all"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/<slug:action>/", views.referral_transition, name="transition"),
]
