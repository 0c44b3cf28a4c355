from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from resursrad.models import ROLE_FIELDS, AdminEvent, AdminEventKind, Heartbeat, Organisation, User


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "organisation")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("last_name", "first_name")
    list_display = ("email", "first_name", "last_name", "organisation", "role_list", "is_active")
    list_filter = (
        "is_case_worker",
        "is_coordinator",
        "is_council_member",
        "is_steering_member",
        "is_deviation_contact",
        "is_log_reviewer",
        "is_administrator",
        "is_active",
        "organisation__party",
    )
    list_select_related = ("organisation",)
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "title", "phone", "organisation")}),
        (
            _("Roles"),
            {
                "fields": (
                    "is_case_worker",
                    "is_coordinator",
                    "is_council_member",
                    "is_steering_member",
                    "is_deviation_contact",
                    "is_log_reviewer",
                    "is_administrator",
                    "is_active",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "organisation", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(role.label) for role in obj.roles)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # No administrator grants or drops their own roles: another must.
            fields += ROLE_FIELDS
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Two administrators saving the same user at once: lock the row so that
        # each event's "before" is the state this save replaced. The admin's
        # change view already runs in a transaction.
        stored = User.objects.select_for_update().get(pk=obj.pk)
        before = AdminEvent.roles_of(stored)
        if obj.pk == request.user.pk and AdminEvent.roles_of(obj) != before:
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        AdminEvent.record_role_change(request, subject=obj, before=before)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's password view, recording when an administrator set or removed a password."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                user.refresh_from_db(fields=["password"])
                # Only that it changed is recorded, never the password or its hash.
                if user.password != before:
                    AdminEvent.record(request, kind=AdminEventKind.PASSWORD_RESET, subject=user)
        return response


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "party")
    list_filter = ("party",)
    search_fields = ("name",)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run", "runs")
    readonly_fields = ("name", "last_run", "runs")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AdminEvent)
class AdminEventAdmin(admin.ModelAdmin):
    """The administration log, read-only: it is appended to by the actions it records."""

    list_display = ("at", "kind", "actor", "subject", "roles_before", "roles_after", "request_id")
    list_filter = ("kind",)
    list_select_related = ("actor", "subject")
    search_fields = ("actor__email", "subject__email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Roles are the flags on User; Django's groups are not used.
admin.site.unregister(Group)
