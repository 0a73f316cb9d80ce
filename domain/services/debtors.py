"""Debtors: identity, documents, contact points with consent and status, related people."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.contacts import (
    default_time_zone,
    normalize_email,
    normalize_phone,
    validate_country,
    validate_locale,
    validate_time_zone,
)
from domain.documents import validate_document
from domain.entities import (
    Channel,
    ContactKind,
    ContactPoint,
    ContactStatus,
    Debtor,
    PartyKind,
    RelatedPerson,
    RelationKind,
)
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.ids import derived_id
from domain.ports import Claim, ClaimKind, DebtorQuery, Page, PageRequest, Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase, clean_tags, clean_text
from domain.snapshot import snapshot

MAX_CONTACTS = 20
MAX_RELATED = 10


@dataclass
class ContactInput:
    kind: ContactKind
    value: str
    consent: bool = False
    status: ContactStatus | None = None
    label: str | None = None
    primary: bool = False


@dataclass
class RelatedInput:
    relation: RelationKind
    name: str
    document_type: str | None = None
    document_number: str | None = None
    contacts: list[ContactInput] = field(default_factory=list)


@dataclass
class DebtorInput:
    name: str
    kind: PartyKind = PartyKind.PERSON
    external_id: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    jurisdiction: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    preferred_channel: Channel | None = None
    contacts: list[ContactInput] = field(default_factory=list)
    related: list[RelatedInput] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    assigned_agent_id: str | None = None


@dataclass
class DebtorPatch:
    """None keeps a field; a given list replaces the whole list."""

    name: str | None = None
    kind: PartyKind | None = None
    external_id: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    jurisdiction: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    preferred_channel: Channel | None = None
    contacts: list[ContactInput] | None = None
    related: list[RelatedInput] | None = None
    tags: list[str] | None = None
    assigned_agent_id: str | None = None


def debtor_id_for(tenant: str, external_id: str) -> str:
    return derived_id(tenant, "debtor", external_id)


def build_contacts(items: list[ContactInput], region: str, prefix: str) -> list[ContactPoint]:
    """Validate and normalise contact points; phones to E.164 with `region` as the default."""
    if len(items) > MAX_CONTACTS:
        raise DomainError(ErrorCode.INVALID, f"at most {MAX_CONTACTS} contact points", prefix)
    result: list[ContactPoint] = []
    seen: set[tuple[ContactKind, str]] = set()
    for i, item in enumerate(items):
        where = f"{prefix}[{i}].value"
        if item.kind is ContactKind.EMAIL:
            value = normalize_email(item.value, where)
        elif item.kind in (ContactKind.PHONE, ContactKind.WHATSAPP):
            value = normalize_phone(item.value, region, where)
        else:
            value = clean_text(item.value, where, required=True, max_len=500) or ""
        if (item.kind, value) in seen:
            continue
        seen.add((item.kind, value))
        result.append(
            ContactPoint(
                kind=item.kind,
                value=value,
                consent=item.consent,
                status=item.status or ContactStatus.VALID,
                label=clean_text(item.label, f"{prefix}[{i}].label", max_len=50),
                primary=item.primary,
            )
        )
    return result


def _document(
    country: str, doc_type: str | None, number: str | None, prefix: str = ""
) -> tuple[str | None, str | None]:
    if not number or not number.strip():
        return None, None
    if not doc_type:
        raise DomainError(
            ErrorCode.REQUIRED, "documentType is required with a number", f"{prefix}documentType"
        )
    return validate_document(country, doc_type, number, f"{prefix}documentNumber")


def build_related(items: list[RelatedInput], country: str) -> list[RelatedPerson]:
    if len(items) > MAX_RELATED:
        raise DomainError(ErrorCode.INVALID, f"at most {MAX_RELATED} related people", "related")
    people = []
    for i, item in enumerate(items):
        prefix = f"related[{i}]."
        doc_type, doc_number = _document(country, item.document_type, item.document_number, prefix)
        people.append(
            RelatedPerson(
                relation=item.relation,
                name=clean_text(item.name, f"{prefix}name", required=True, max_len=200) or "",
                document_type=doc_type,
                document_number=doc_number,
                contacts=build_contacts(item.contacts, country, f"{prefix}contacts"),
            )
        )
    return people


class Debtors(UseCase):
    def get(self, principal: Principal, debtor_id: str) -> Debtor | None:
        principal.require(Action.DEBTOR_READ)
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            return None
        return debtor

    def list(self, principal: Principal, query: DebtorQuery, page: PageRequest) -> Page[Debtor]:
        principal.require(Action.DEBTOR_READ)
        if principal.is_agent:
            if query.agent_id not in (None, principal.agent_id):
                return Page([], None, False)
            query = DebtorQuery(
                name_prefix=query.name_prefix,
                document_number=query.document_number,
                external_id=query.external_id,
                agent_id=principal.agent_id or "-",
            )
        return self.repo.list_debtors(principal.tenant, query, page)

    def create(self, principal: Principal, data: DebtorInput) -> Debtor:
        principal.require(Action.DEBTOR_CREATE)
        tenant = self.settings(principal)
        debtor = self.build(principal, tenant.country, data)
        if self.repo.get_claim(principal.tenant, ClaimKind.DEBTOR_EXTERNAL_ID, debtor.external_id):
            raise _duplicate()
        if self.repo.get_debtor(principal.tenant, debtor.id) is not None:
            debtor.id = self.deps.ids.new_id()  # the derived id belongs to a debtor renamed since
        tx = Transaction()
        self.stage_new(tx, principal, debtor)
        try:
            self.repo.commit(principal.tenant, tx)
        except (UniquenessConflict, ConcurrencyConflict):
            raise _duplicate() from None
        return debtor

    def build(self, principal: Principal, tenant_country: str, data: DebtorInput) -> Debtor:
        """Validate a new debtor's input into an entity (used by create and by bulk import)."""
        country = validate_country(data.jurisdiction, "jurisdiction") if data.jurisdiction else tenant_country
        external_id = clean_text(data.external_id, "externalId", max_len=100) or self.deps.ids.new_id()
        doc_type, doc_number = _document(country, data.document_type, data.document_number)
        return Debtor(
            tenant=principal.tenant,
            id=debtor_id_for(principal.tenant, external_id),
            external_id=external_id,
            kind=data.kind,
            name=clean_text(data.name, "name", required=True, max_len=200) or "",
            document_type=doc_type,
            document_number=doc_number,
            time_zone=validate_time_zone(data.time_zone, "timeZone")
            if data.time_zone
            else default_time_zone(country),
            jurisdiction=country,
            locale=validate_locale(data.locale, "locale") if data.locale else None,
            preferred_channel=data.preferred_channel,
            contacts=build_contacts(data.contacts, country, "contacts"),
            related=build_related(data.related, country),
            tags=clean_tags(data.tags),
            assigned_agent_id=clean_text(data.assigned_agent_id, "assignedAgentId", max_len=100),
            created_at=self.now(),
            updated_at=self.now(),
        )

    def stage_new(self, tx: Transaction, principal: Principal, debtor: Debtor) -> None:
        tx.save(debtor)
        tx.claims.append(Claim(ClaimKind.DEBTOR_EXTERNAL_ID, debtor.external_id, debtor.id))
        self.audit(tx, principal, "Debtor", debtor.id, "debtorCreate", None, snapshot(debtor))

    def update(self, principal: Principal, debtor_id: str, patch: DebtorPatch) -> Debtor:
        principal.require(Action.DEBTOR_UPDATE)
        if principal.is_agent and patch.assigned_agent_id is not None:
            raise DomainError(ErrorCode.FORBIDDEN, "agents cannot reassign debtors", "assignedAgentId")
        return self.retrying(lambda: self._update(principal, debtor_id, patch))

    def _update(self, principal: Principal, debtor_id: str, patch: DebtorPatch) -> Debtor:
        debtor = self.get(principal, debtor_id)
        if debtor is None:
            raise NotFound("debtor")
        before = snapshot(debtor)
        tx = Transaction()
        apply_patch(debtor, patch)
        if patch.external_id is not None:
            new_ext = clean_text(patch.external_id, "externalId", required=True, max_len=100) or ""
            if new_ext != debtor.external_id:
                tx.releases.append(Claim(ClaimKind.DEBTOR_EXTERNAL_ID, debtor.external_id))
                tx.claims.append(Claim(ClaimKind.DEBTOR_EXTERNAL_ID, new_ext, debtor.id))
                debtor.external_id = new_ext
        debtor.updated_at = self.now()
        tx.save(debtor)
        self.audit(tx, principal, "Debtor", debtor.id, "debtorUpdate", before, snapshot(debtor))
        try:
            self.repo.commit(principal.tenant, tx)
        except UniquenessConflict:
            raise _duplicate() from None
        return debtor


def apply_patch(debtor: Debtor, patch: DebtorPatch) -> None:
    """Validate and apply the given fields (documents and phones are checked against the jurisdiction)."""
    if patch.jurisdiction is not None:
        debtor.jurisdiction = validate_country(patch.jurisdiction, "jurisdiction")
    country = debtor.jurisdiction
    if patch.name is not None:
        debtor.name = clean_text(patch.name, "name", required=True, max_len=200) or debtor.name
    if patch.kind is not None:
        debtor.kind = patch.kind
    if patch.document_number is not None or patch.document_type is not None:
        debtor.document_type, debtor.document_number = _document(
            country,
            patch.document_type if patch.document_type is not None else debtor.document_type,
            patch.document_number if patch.document_number is not None else debtor.document_number,
        )
    if patch.time_zone is not None:
        debtor.time_zone = validate_time_zone(patch.time_zone, "timeZone")
    if patch.locale is not None:
        debtor.locale = validate_locale(patch.locale, "locale") if patch.locale.strip() else None
    if patch.preferred_channel is not None:
        debtor.preferred_channel = patch.preferred_channel
    if patch.contacts is not None:
        debtor.contacts = build_contacts(patch.contacts, country, "contacts")
    if patch.related is not None:
        debtor.related = build_related(patch.related, country)
    if patch.tags is not None:
        debtor.tags = clean_tags(patch.tags)
    if patch.assigned_agent_id is not None:
        debtor.assigned_agent_id = clean_text(patch.assigned_agent_id, "assignedAgentId", max_len=100)


def _duplicate() -> DomainError:
    return DomainError(ErrorCode.DUPLICATE, "a debtor with this external id already exists", "externalId")
