from meetings import urls_run

app_name = "meetings"

urlpatterns = [*urls_run.urlpatterns]
