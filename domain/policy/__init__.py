"""The statutory contact-policy engine: may this contact happen now, and if not, when?

Policies are data (`jurisdictions/*.yaml`, one file per jurisdiction plus overlays); `PolicyBook`
picks the version in force, applies overlays and evaluates a `ContactRequest` against the contact
history, returning a `Decision` that names the rules behind it.
"""

from domain.policy.engine import HORIZON, PolicyBook
from domain.policy.loader import DEFAULT_JURISDICTION, Catalog, load_catalog
from domain.policy.model import (
    AttemptKind,
    CapMetric,
    ContactRecord,
    ContactRequest,
    Decision,
    Direction,
    HoursOverride,
    Outcome,
    OverrideInstrument,
    Purpose,
    Recipient,
    ThirdPartyAccess,
    TimeBasis,
)
from domain.policy.overlays import PolicyOverlay, TenantOverlay, tighten
from domain.policy.reader import PolicyFileError
from domain.policy.rules import CapRule, Policy

__all__ = [
    "DEFAULT_JURISDICTION",
    "HORIZON",
    "AttemptKind",
    "CapMetric",
    "CapRule",
    "Catalog",
    "ContactRecord",
    "ContactRequest",
    "Decision",
    "Direction",
    "HoursOverride",
    "Outcome",
    "OverrideInstrument",
    "Policy",
    "PolicyBook",
    "PolicyFileError",
    "PolicyOverlay",
    "Purpose",
    "Recipient",
    "TenantOverlay",
    "ThirdPartyAccess",
    "TimeBasis",
    "load_catalog",
    "tighten",
]
