from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from resursrad import views

admin.site.site_header = _("Resursråd administration")
admin.site.site_title = _("Resursråd")
admin.site.index_title = _("Administration")
# One way in: the admin uses the application's login (and its lockout).
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_then_message, name="logout"),
    path(
        "accounts/password/",
        login_required(views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path("cases/", include("cases.urls")),
    path("meetings/", include("meetings.urls")),
    path("deviations/", include("deviations.urls")),
    path("followup/", include("followup.urls")),
    path("start/admin/", views.start_admin, name="start_admin"),
    path("system/status/", views.system_status, name="system_status"),
    path("system/access-log/", views.access_log, name="access_log"),
    path("system/admin-events/", views.admin_events, name="admin_events"),
    path("", include("resursrad.notifications.urls")),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler400 = "resursrad.errors.bad_request"
handler403 = "resursrad.errors.permission_denied"
handler404 = "resursrad.errors.page_not_found"
handler500 = "resursrad.errors.server_error"
