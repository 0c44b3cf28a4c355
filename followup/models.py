"""The follow-up app's models; each part keeps its own module."""

from followup.models_review import LogReview  # noqa: F401
from followup.models_survey import Agreement, SurveyAnswer, SurveyLink  # noqa: F401
