"""Tenant settings: country, currency, time zone, locale and senders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.numbers import get_territory_currencies

from domain.contacts import (
    default_locale,
    default_time_zone,
    normalize_email,
    validate_country,
    validate_locale,
    validate_time_zone,
)
from domain.entities import Tenant
from domain.errors import DomainError, ErrorCode
from domain.money import validate_currency
from domain.ports import Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase, clean_text
from domain.snapshot import snapshot


@dataclass
class TenantPatch:
    """Fields left as None keep their value."""

    name: str | None = None
    country: str | None = None
    currency: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    sender_email: str | None = None
    sms_sender_id: str | None = None


class TenantSettings(UseCase):
    def get(self, principal: Principal) -> Tenant | None:
        principal.require(Action.TENANT_READ)
        return self.repo.get_tenant(principal.tenant)

    def update(self, principal: Principal, patch: TenantPatch) -> Tenant:
        """Create the tenant's settings on first use (name and country required), else change them."""
        principal.require(Action.TENANT_UPDATE)
        return self.retrying(lambda: self._update(principal, patch))

    def _update(self, principal: Principal, patch: TenantPatch) -> Tenant:
        current = self.repo.get_tenant(principal.tenant)
        if current is None:
            name = clean_text(patch.name, "name", required=True, max_len=200)
            if not patch.country:
                raise DomainError(ErrorCode.REQUIRED, "country is required", "country")
            country = validate_country(patch.country, "country")
            tenant = Tenant(
                id=principal.tenant,
                name=name or principal.tenant,
                country=country,
                currency=_default_currency(country, self.now().date()),
                time_zone=default_time_zone(country),
                locale=default_locale(country),
                created_at=self.now(),
            )
            before = None
        else:
            tenant = current
            before = snapshot(current)
            if patch.name is not None:
                tenant.name = clean_text(patch.name, "name", required=True, max_len=200) or tenant.name
            if patch.country is not None:
                tenant.country = validate_country(patch.country, "country")
        if patch.currency is not None:
            tenant.currency = validate_currency(patch.currency)
        if patch.time_zone is not None:
            tenant.time_zone = validate_time_zone(patch.time_zone, "timeZone")
        if patch.locale is not None:
            tenant.locale = validate_locale(patch.locale, "locale")
        if patch.sender_email is not None:
            tenant.sender_email = (
                normalize_email(patch.sender_email, "senderEmail") if patch.sender_email.strip() else None
            )
        if patch.sms_sender_id is not None:
            tenant.sms_sender_id = _sender_id(patch.sms_sender_id)
        tenant.updated_at = self.now()
        tx = Transaction()
        tx.save(tenant)
        self.audit(tx, principal, "Tenant", tenant.id, "tenantUpdate", before, snapshot(tenant))
        self.repo.commit(principal.tenant, tx)
        return tenant


def _default_currency(country: str, today: date) -> str:
    currencies = get_territory_currencies(country, today)
    return currencies[0] if currencies else "USD"


def _sender_id(value: str) -> str | None:
    """SMS alphanumeric sender ids are 1–11 letters, digits or spaces."""
    text = value.strip()
    if not text:
        return None
    if len(text) > 11 or not all(c.isalnum() or c == " " for c in text) or not text.isascii():
        raise DomainError(ErrorCode.INVALID, "smsSenderId is 1-11 ASCII letters or digits", "smsSenderId")
    return text
