"""The Django admin for every model; each calls the same services as the views."""

from claims.admin import content as content
from claims.admin import integration as integration
from claims.admin import speakers as speakers
from claims.admin import team as team
