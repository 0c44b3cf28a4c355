from meetings import urls_plan

app_name = "meetings"

urlpatterns = [*urls_plan.urlpatterns]
