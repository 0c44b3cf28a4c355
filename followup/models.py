"""The follow-up app's models, each helper's in its own module."""

from followup.models_review import LogReview  # noqa: F401
