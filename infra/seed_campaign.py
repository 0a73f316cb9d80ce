"""The demo tenant's reminder campaign: the starter templates and one active cadence.

Steps (days from the due date): −3 e-mail, 0 SMS (e-mail when there is no usable number), +3
WhatsApp (SMS fallback), +7 e-mail, +15 a call task for the assigned agent, +30 final e-mail notice;
and, on events, an e-mail (SMS when there is no usable address) the day before each payment plan
instalment falls due (INSTALMENT_DUE, stating the instalment's amount and date) and the day before a
promised payment (PROMISE_DUE_TOMORROW, stating the promised amount and date), with the starter
templates of those events in the debtor's locale.
Idempotent: templates are installed by name and the campaign is created once (by name); an existing
demo database keeps its campaign (re-seed it to get the event templates).
"""

from __future__ import annotations

from datetime import time

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.engine import Reminders
from domain.campaigns.model import Campaign, StepTrigger
from domain.principal import Principal, Role
from domain.templates import TemplateChannel as C
from infra.seed import TENANT

CAMPAIGN_NAME = "Recordatorios estándar"


def seed_demo_campaign(reminders: Reminders) -> Campaign:
    admin = Principal(sub="seed", tenant=TENANT, role=Role.ADMIN)
    existing = next((c for c in reminders.campaigns.list(admin) if c.name == CAMPAIGN_NAME), None)
    if existing is not None:
        return existing
    reminders.templates.install_defaults(admin)
    ids = {(t.name, t.channel): t.id for t in reminders.templates.list(admin)}
    campaign = reminders.campaigns.create(
        admin,
        CampaignInput(
            name=CAMPAIGN_NAME,
            priority=10,
            description="Antes, el día y después del vencimiento, por el canal que corresponda.",
            locales=["es-PE", "es-CO"],
            default_send_time=time(9, 0),
            payment_link="https://pagos.demo.recaudo.dev/p",
            payment_instructions="Transferencia a la cuenta BCP 193-1234567-0-12 indicando su documento.",
            steps=[
                StepInput(-3, C.EMAIL, ids[("before-due", C.EMAIL)]),
                StepInput(0, C.SMS, ids[("due-today", C.SMS)], C.EMAIL, ids[("due-today", C.EMAIL)]),
                StepInput(3, C.WHATSAPP, ids[("overdue", C.WHATSAPP)], C.SMS, ids[("overdue", C.SMS)]),
                StepInput(7, C.EMAIL, ids[("overdue", C.EMAIL)]),
                StepInput(15, C.CALL_TASK, ids[("call-script", C.CALL_TASK)]),
                StepInput(30, C.EMAIL, ids[("final-notice", C.EMAIL)]),
                # events: the instalment's own amount and date, the promised amount and date
                StepInput(
                    0,
                    C.EMAIL,
                    ids[("instalment-due", C.EMAIL)],
                    C.SMS,
                    ids[("instalment-due", C.SMS)],
                    trigger=StepTrigger.INSTALMENT_DUE,
                ),
                StepInput(
                    0,
                    C.EMAIL,
                    ids[("promise-due", C.EMAIL)],
                    C.SMS,
                    ids[("promise-due", C.SMS)],
                    trigger=StepTrigger.PROMISE_DUE_TOMORROW,
                ),
            ],
        ),
    )
    return reminders.campaigns.activate(admin, campaign.id)
