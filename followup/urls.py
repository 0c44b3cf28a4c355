"""Follow-up and accountability: statistics, the Finsam export, the survey, log review, right of access."""

from followup.urls_access import urlpatterns as access_patterns
from followup.urls_stats import urlpatterns as stats_patterns
from followup.urls_survey import urlpatterns as survey_patterns

app_name = "followup"

urlpatterns = [*stats_patterns, *survey_patterns, *access_patterns]
