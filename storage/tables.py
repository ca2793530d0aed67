"""Every module that defines tables, imported so that all of them register in one metadata:
the schema Alembic compares with (migrations/env.py), the erasure of a learner's rows
(``storage.retention``) and the tests. A new table module is added to ``TABLE_MODULES``
(tests/unit/test_architecture.py checks that none is missing)."""

from __future__ import annotations

from types import ModuleType
from typing import Final

from sqlalchemy import MetaData

from storage import campaigns, delivery, feedback, groups, models, sharing
from storage.base import Base

TABLE_MODULES: Final[tuple[ModuleType, ...]] = (
    models,
    campaigns,
    delivery,
    groups,
    feedback,
    sharing,
)
metadata: Final[MetaData] = Base.metadata
