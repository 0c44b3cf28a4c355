"""The deviations' addresses: reporting, the review, and the styrgrupp's overview."""

from deviations.urls_report import urlpatterns as report_patterns
from deviations.urls_review import urlpatterns as review_patterns
from deviations.urls_trends import urlpatterns as trends_patterns

app_name = "deviations"

urlpatterns = [*report_patterns, *review_patterns, *trends_patterns]
