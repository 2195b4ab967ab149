"""The three roles and their model permissions.

Used by the data migration that creates the groups and by ``manage.py setup_roles``,
which brings existing groups up to date after models are added.
"""

from __future__ import annotations

from typing import Any

EDITORS = "Editors"
FACT_CHECKERS = "Fact-checkers"
VIEWERS = "Viewers"

# Each role's short name (``manage.py add_user --role``, the team page) and its group.
ROLES = {"editor": EDITORS, "fact-checker": FACT_CHECKERS, "viewer": VIEWERS}

MODELS = [
    "article",
    "articlerevision",
    "claim",
    "source",
    "sourcecapture",
    "providedfile",
    "evidence",
    "factcheck",
    "claimmatch",
    "publisher",
    "publisherdomain",
    "confirmation",
    "verdictpage",
    "feed",
    "feeditem",
    "speaker",
    "speakeralias",
]

_VIEW = {f"view_{model}" for model in MODELS}
_FACT_CHECK = _VIEW | {
    "change_claim",
    "change_claimmatch",
    "add_evidence",
    "change_evidence",
    "delete_evidence",
    "add_source",
    "change_source",
    "delete_source",
    "add_sourcecapture",
}
_EDIT = _FACT_CHECK | {
    "add_article",
    "change_article",
    "delete_article",
    "add_articlerevision",
    "add_claim",
    "delete_claim",
    "add_publisher",
    "change_publisher",
    "delete_publisher",
    "add_publisherdomain",
    "change_publisherdomain",
    "delete_publisherdomain",
    "publish_verdict",
    "add_feed",
    "change_feed",
    "delete_feed",
    # The team page (``claims.web.team``): add people, change roles, deactivate.
    "manage_team",
    "view_teamchange",
    "add_speaker",
    "change_speaker",
    "add_speakeralias",
    "change_speakeralias",
    "delete_speakeralias",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    EDITORS: _EDIT,
    FACT_CHECKERS: _FACT_CHECK,
    VIEWERS: _VIEW,
}


def sync_roles(apps: Any) -> None:
    """Create the groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        saved = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = saved

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        perms = permission_model.objects.filter(
            content_type__app_label="claims", codename__in=codenames
        )
        group.permissions.set(perms)
