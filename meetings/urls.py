from meetings import urls_cal, urls_plan, urls_run

app_name = "meetings"

urlpatterns = [*urls_plan.urlpatterns, *urls_cal.urlpatterns, *urls_run.urlpatterns]
