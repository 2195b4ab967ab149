"""The team: who added, re-roled, deactivated or sent a password link to whom, and when.

People are Django users in one of the three role groups (``claims.roles``); the team page
and ``manage.py add_user`` change them through ``claims.team``, which writes one
``TeamChange`` per change, in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TeamAction(models.TextChoices):
    """``TeamChange.Action``: what was done to a person (read as "edna added fred")."""

    ADDED = "added", "added"
    ROLE = "role", "changed the role of"
    DEACTIVATED = "deactivated", "deactivated"
    REACTIVATED = "reactivated", "reactivated"
    RESET_LINK = "reset_link", "made a password link for"


class TeamChange(models.Model):
    Action = TeamAction

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the change; empty for manage.py.",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_changes"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        permissions = [("manage_team", "Can add people, change their role, deactivate them")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=TeamAction.values), name="teamchange_action_valid"
            ),
        ]

    def __str__(self) -> str:
        who = self.actor.get_username() if self.actor else "manage.py"
        return f"{who} {self.get_action_display()} {self.person.get_username()}"
