"""Every mapped class, imported in one place so the metadata is complete (Alembic, tests)."""

from hub.storage.base import Base
from hub.storage.entities import (
    EntityKind,
    EntityRedirect,
    EntityStatus,
    House,
    Person,
    PersonTag,
    Provenance,
    Publication,
    PublicationStatus,
    RecordLink,
)
from hub.storage.facts import (
    Benefit,
    CitizenReport,
    HealthGroup,
    PartyMembership,
    ReportStep,
    Vaccination,
)
from hub.storage.governance import (
    ApiToken,
    AuditEntry,
    AuditHead,
    AuditPerson,
    ChangeEvent,
    MoveRequest,
    PipelineFailure,
    QualityResult,
    QualityRun,
    StewardDecision,
)
from hub.storage.grid import Grid, GridBuilding, GridLevel
from hub.storage.ingest import (
    Delivery,
    DeliveryStatus,
    EndReason,
    FieldIssue,
    QuarantinedRow,
    SourceRecord,
)
from hub.storage.resolution import MatchPair, ResolutionRun

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "AuditPerson",
    "Base",
    "Benefit",
    "ChangeEvent",
    "CitizenReport",
    "Delivery",
    "DeliveryStatus",
    "EndReason",
    "EntityKind",
    "EntityRedirect",
    "EntityStatus",
    "FieldIssue",
    "Grid",
    "GridBuilding",
    "GridLevel",
    "HealthGroup",
    "House",
    "MatchPair",
    "MoveRequest",
    "PartyMembership",
    "Person",
    "PersonTag",
    "PipelineFailure",
    "Provenance",
    "Publication",
    "PublicationStatus",
    "QualityResult",
    "QualityRun",
    "QuarantinedRow",
    "RecordLink",
    "ReportStep",
    "ResolutionRun",
    "SourceRecord",
    "StewardDecision",
    "Vaccination",
    "metadata",
]
