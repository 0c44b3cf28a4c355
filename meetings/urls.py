from meetings import urls_cal

app_name = "meetings"

urlpatterns = [*urls_cal.urlpatterns]
