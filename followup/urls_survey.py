"""The follow-up survey pages."""

from django.urls import URLPattern, path

from followup.views import survey

urlpatterns: list[URLPattern] = [
    path("survey/results/", survey.results, name="survey_results"),
    path("survey/<str:token>/", survey.answer, name="survey_answer"),
]
