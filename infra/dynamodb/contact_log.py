"""A debtor's recent contacts in one item, read by key: the contact log.

`T#t#DR#<debtorId>` / `CONTACTS` holds a string set with one element per contact of about the last
`SPAN`: the contact-history entry's document and its reference. Every write of a contact-history entry
(a sent message, an agent's logged call, a contact recorded by hand) adds its element in the same
transaction with `ADD`, so writers never conflict and a retried write adds nothing (the element is
the same string). The log is therefore complete: a debtor without one has never been contacted.

The dispatcher reads the logs of a whole SQS batch in the BatchGetItem it makes anyway, and the agent
queue reads a page's logs in one BatchGetItem, instead of one contact-history Query per debtor.
Elements older than `SPAN` are deleted by whoever reads enough of them (`DELETE`, best-effort, after
the read, never inside a sending transaction). A policy that looks further back than `SPAN` (a tenant
cap over a longer window) still reads the contact-history Query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import UnicodeSetAttribute

from domain.campaigns.ports import RecentContacts
from domain.policy import ContactRecord
from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import debtor_pk
from infra.dynamodb.message_items import contact_doc, contact_from_doc
from infra.dynamodb.models import TableItem

SPAN = timedelta(days=40)
"""How far back the log is complete (every statutory cap looks back 7 days at most)."""
LOG_SK = "CONTACTS"
PRUNE_AT = 8
"""Stale elements a reader must see before it deletes them (one extra request now and then)."""


class ContactLogItem(TableItem, discriminator="CONTACT_LOG"):
    entries = UnicodeSetAttribute(null=True)


def log_key(tenant: str, debtor_id: str) -> tuple[str, str]:
    return debtor_pk(tenant, debtor_id), LOG_SK


def log_entry(record: ContactRecord, ref: str) -> str:
    return dumps({**contact_doc(record), "ref": ref})


def log_additions(tenant: str, debtor_id: str, entries: Iterable[str]) -> tuple[ContactLogItem, list[Any]]:
    """The item and the update actions that add `entries` to a debtor's log (creating it if absent),
    for `TransactWrite.update`."""
    item = ContactLogItem(*log_key(tenant, debtor_id))
    actions = [
        ContactLogItem.kind.set(ContactLogItem),
        ContactLogItem.tenant.set(tenant),
        ContactLogItem.entries.add(set(entries)),
    ]
    return item, actions


def recent_contacts(item: ContactLogItem | None, now: datetime) -> tuple[RecentContacts, set[str]]:
    """The log as the domain reads it (absent: no contacts), and its elements older than `SPAN`."""
    records: list[ContactRecord] = []
    stale: set[str] = set()
    horizon = now - SPAN
    for entry in (item.entries if item is not None else None) or ():
        record = contact_from_doc(json.loads(entry), LOG_SK)
        if record.at < horizon:
            stale.add(entry)
        else:
            records.append(record)
    records.sort(key=lambda r: r.at)
    return RecentContacts(tuple(records), SPAN), stale


def prune(tenant: str, debtor_id: str, stale: set[str]) -> None:
    """Delete stale elements once there are enough of them (a no-op for elements already gone)."""
    if len(stale) >= PRUNE_AT:
        ContactLogItem(*log_key(tenant, debtor_id)).update(actions=[ContactLogItem.entries.delete(stale)])


def read_logs(tenant: str, debtor_ids: Sequence[str], now: datetime) -> dict[str, RecentContacts]:
    """The logs of several debtors of one tenant: one BatchGetItem per 100 (strongly consistent)."""
    keys = list(dict.fromkeys(log_key(tenant, d) for d in debtor_ids))
    found = {item.PK: item for item in ContactLogItem.batch_get(keys, consistent_read=True)} if keys else {}
    out: dict[str, RecentContacts] = {}
    for debtor_id in dict.fromkeys(debtor_ids):
        pk, _ = log_key(tenant, debtor_id)
        out[debtor_id], stale = recent_contacts(found.get(pk), now)
        prune(tenant, debtor_id, stale)
    return out
