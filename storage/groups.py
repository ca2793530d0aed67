"""Tables and queries of the groups feature (registered on storage.models.Base)."""

from __future__ import annotations
