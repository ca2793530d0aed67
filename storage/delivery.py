"""Tables and queries of the delivery feature (registered on storage.models.Base)."""

from __future__ import annotations
