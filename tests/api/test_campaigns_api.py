"""The reminder engine over GraphQL: templates, campaigns (activation refused for a broken template),
preview, contact checks and policies, simulation, a real cycle, messages, opt-out, roles, tenants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.campaigns.engine import Reminders
from domain.campaigns.model import CampaignStats
from domain.clock import FixedClock
from schema.common import decode_one
from tests.api.conftest import TENANT_SETUP, Api, create_debt, token

TEMPLATE_CREATE = """
mutation($i: TemplateCreateInput!) { templateCreate(input: $i) {
  template { id name channel variants { locale } } errors { field code message } } }
"""
CAMPAIGN_CREATE = """
mutation($i: CampaignCreateInput!) { campaignCreate(input: $i) {
  campaign { id status steps { id offsetDays channel } } errors { field code message } } }
"""
ACTIVATE = """
mutation($id: ID!) { campaignActivate(input: {id: $id}) {
  campaign { id status activatedAt } errors { field code message } } }
"""
UPDATE = (
    "mutation($i: CampaignUpdateInput!) { campaignUpdate(input: $i) { campaign { id } errors { code } } }"
)
SMS = {
    "name": "vencido",
    "channel": "SMS",
    "variants": [{"locale": "es-PE", "text": "{{ creditor_name }}: {{ debtor_name }}, debe {{ balance }}."}],
}
EMAIL = {
    "name": "hoy",
    "channel": "EMAIL",
    "variants": [
        {
            "locale": "es-PE",
            "subject": "Vence hoy: {{ balance }}",
            "html": "<p>{{ debtor_name }}, hoy vence {{ balance }}.</p>",
            "text": "{{ debtor_name }}, hoy vence {{ balance }}.",
        }
    ],
}


def setup_campaign(api: Api) -> tuple[str, str, str]:
    sms = api.mutate("templateCreate", TEMPLATE_CREATE, i=SMS)["template"]["id"]
    email = api.mutate("templateCreate", TEMPLATE_CREATE, i=EMAIL)["template"]["id"]
    campaign = api.mutate(
        "campaignCreate",
        CAMPAIGN_CREATE,
        i={
            "name": "Estándar",
            "priority": 5,
            "steps": [
                {
                    "offsetDays": 0,
                    "channel": "EMAIL",
                    "templateId": email,
                    "fallbackChannel": "SMS",
                    "fallbackTemplateId": sms,
                },
                {"offsetDays": 7, "channel": "SMS", "templateId": sms},
            ],
        },
    )["campaign"]
    return campaign["id"], email, sms


def test_unknown_variables_are_refused_when_the_template_is_saved(api: Api, acme: dict[str, Any]) -> None:
    bad = {**SMS, "variants": [{"locale": "es-PE", "text": "Hola {{ nombre }}"}]}
    payload = api.ok(TEMPLATE_CREATE, i=bad)["templateCreate"]
    assert payload["template"] is None
    assert payload["errors"] == [
        {
            "field": "variants[0].text",
            "code": "TEMPLATE_UNKNOWN_VARIABLE",
            "message": "unknown variable(s): nombre",
        }
    ]


def test_a_campaign_with_a_template_missing_a_locale_is_not_activated(api: Api, acme: dict[str, Any]) -> None:
    campaign_id, email, sms = setup_campaign(api)
    api.mutate(
        "campaignUpdate",
        UPDATE,
        i={"id": campaign_id, "locales": ["es-PE", "en-US"]},
    )
    payload = api.ok(ACTIVATE, id=campaign_id)["campaignActivate"]
    assert payload["campaign"] is None
    assert {e["field"] for e in payload["errors"]} == {
        "steps[0].templateId",
        "steps[0].fallbackTemplateId",
        "steps[1].templateId",
    }
    assert {e["code"] for e in payload["errors"]} == {"TEMPLATE_MISSING_PART"}
    ok = api.ok(UPDATE, i={"id": campaign_id, "locales": ["es-PE"]})
    assert ok["campaignUpdate"]["errors"] == []
    assert api.mutate("campaignActivate", ACTIVATE, id=campaign_id)["campaign"]["status"] == "ACTIVE"


def test_preview_formats_money_for_the_debtor_and_reports_sms_encoding(
    api: Api, acme: dict[str, Any]
) -> None:
    _, _, sms = setup_campaign(api)
    debt = create_debt(api, acme, "F-1", "1234.50", "2026-03-10")
    payload = api.mutate(
        "templatePreview",
        "mutation($i: TemplatePreviewInput!) { templatePreview(input: $i) {"
        " preview { text smsEncoding smsSegments } errors { code } } }",
        i={"templateId": sms, "debtId": debt["id"]},
    )
    assert payload["preview"] == {
        "text": "Acme SAC: Juan Pérez, debe S/ 1,234.50.",
        "smsEncoding": "GSM-7",
        "smsSegments": 1,
    }


CHECK = """
query($i: ContactCheckInput!) { contactCheck(input: $i) { outcome until ruleIds policyId } }
"""


def test_contact_check_at_the_lima_window_edge(api: Api, acme: dict[str, Any]) -> None:
    # Wednesday 2026-03-18: 19:59:59 Lima is allowed for a call, 20:00:00 is not (until Thursday 07:00)
    before = api.ok(
        CHECK, i={"debtorId": acme["debtor"], "channel": "EMAIL", "at": "2026-03-18T19:59:59-05:00"}
    )
    assert before["contactCheck"]["outcome"] == "SEND"
    after = api.ok(
        CHECK, i={"debtorId": acme["debtor"], "channel": "EMAIL", "at": "2026-03-18T20:00:00-05:00"}
    )
    assert after["contactCheck"]["outcome"] == "DEFER"
    assert after["contactCheck"]["until"] == "2026-03-19T12:00:00+00:00"
    assert after["contactCheck"]["policyId"].startswith("PE")


def test_contact_policies_list_the_five_jurisdictions(api: Api, acme: dict[str, Any]) -> None:
    data = api.ok("{ contactPolicies { jurisdiction id sources windows { day windows } caps } }")
    jurisdictions = {p["jurisdiction"] for p in data["contactPolicies"]}
    assert {"PE", "CO", "MX", "CL", "US"} <= jurisdictions
    pe = api.ok('{ contactPolicy(jurisdiction: "PE") { id windows { day windows } } }')["contactPolicy"]
    assert {"day": "mon", "windows": ["07:00-20:00"]} in pe["windows"]


def test_simulate_then_a_real_cycle_sends_and_lists_the_message(
    api: Api, acme: dict[str, Any], reminders: Reminders, clock: FixedClock
) -> None:
    api.mutate("tenantUpdate", TENANT_SETUP, t={"senderEmail": "cobranzas@acme.pe"})
    campaign_id, _, _ = setup_campaign(api)
    api.mutate("campaignActivate", ACTIVATE, id=campaign_id)
    create_debt(api, acme, "F-1", "150.00", "2026-03-16")  # a Monday
    sim = api.mutate(
        "campaignSimulate",
        "mutation($i: CampaignSimulateInput!) { campaignSimulate(input: $i) {"
        " entries { debtorName channel offsetDays to decision { outcome ruleIds } } errors { code } } }",
        i={"campaignId": campaign_id, "at": "2026-03-16T10:00:00-05:00"},
    )
    assert sim["entries"] == [
        {
            "debtorName": "Juan Pérez",
            "channel": "EMAIL",
            "offsetDays": 0,
            "to": "juan@example.com",
            "decision": {"outcome": "SEND", "ruleIds": []},
        }
    ]
    assert api.ok("{ messages(first: 5) { edges { node { id } } } }")["messages"]["edges"] == []
    # the planner and dispatcher run at 10:00 Lima
    clock.set(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))
    reminders.planner.run(["acme"])
    queue = reminders.deps.queue
    for job in list(queue.ready):  # type: ignore[union-attr]
        reminders.dispatcher.handle(job)
    data = api.ok(
        "query($d: ID!) { messages(first: 5) { edges { node { channel status to subject error"
        " decision { policyId } } } } debtor(id: $d) { messages { edges { node { status } } } } }",
        d=acme["debtor"],
    )
    [edge] = data["messages"]["edges"]
    assert edge["node"]["channel"] == "EMAIL" and edge["node"]["status"] == "SENT", edge
    assert edge["node"]["subject"] == "Vence hoy: S/ 150.00"
    assert data["debtor"]["messages"]["edges"] == [{"node": {"status": "SENT"}}]
    stats = api.ok("query($id: ID!) { campaign(id: $id) { stats { planned sent } } }", id=campaign_id)
    assert stats["campaign"]["stats"] == {"planned": 1, "sent": 1}


def test_opt_out_and_roles(api: Api, acme: dict[str, Any]) -> None:
    payload = api.mutate(
        "debtorOptOut",
        "mutation($i: DebtorOptOutInput!) { debtorOptOut(input: $i) {"
        " debtor { optedOutChannels optedOutAll contacts { value status } } errors { code } } }",
        i={"debtorId": acme["debtor"], "scope": "CHANNEL", "channel": "SMS"},
    )
    assert payload["debtor"]["optedOutChannels"] == ["SMS"]
    agent = token(role="AGENT", agent_id="ag-1")
    body = api(CAMPAIGN_CREATE, token=agent, i={"name": "x"})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = token(tenant="globex")
    assert api.ok("{ campaigns { id } }", token=other)["campaigns"] == []


def test_supervisors_subscribe_to_the_daily_digest(
    api: Api, acme: dict[str, Any], reminders: Reminders, clock: FixedClock
) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    campaign_id, _, _ = setup_campaign(api)
    api.mutate("campaignActivate", ACTIVATE, id=campaign_id)
    sub = (
        "mutation($i: CampaignDigestSubscribeInput!) { campaignDigestSubscribe(input: $i) {"
        " subscriptionArn errors { field code } } }"
    )
    bad = api.ok(sub, i={"protocol": "EMAIL", "endpoint": "not-an-email"})["campaignDigestSubscribe"]
    assert bad["errors"][0]["field"] == "endpoint"
    ok = api.mutate("campaignDigestSubscribe", sub, i={"protocol": "SMS", "endpoint": "987 654 321"})
    assert ok["subscriptionArn"].startswith("arn:aws:sns:")
    assert reminders.digests.send_daily() == 1
    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    [topic] = [t for t in backend.topics.values() if t.name == "recaudo-digest-acme"]
    [(_, text, subject, *_)] = topic.sent_notifications
    assert subject.startswith("Recaudo: campaigns on") and "Estándar (ACTIVE): planned 0, sent 0" in text
    [subscription] = [s for s in backend.subscriptions.values() if s.topic.name == "recaudo-digest-acme"]
    assert (subscription.protocol, subscription.endpoint) == ("sms", "+51987654321")

    # a retried run the same day publishes nothing; the next day's digest shows the change
    assert reminders.digests.send_daily() == 0
    reminders.deps.messages.add_stats(
        "acme",
        decode_one(campaign_id, "Campaign"),
        CampaignStats(sent=3, blocked=1, blocked_by_rule={"PE-CAP-DAY": 1}),
    )
    clock.advance(timedelta(days=1))
    assert reminders.digests.send_daily() == 1
    assert len(topic.sent_notifications) == 2
    text = topic.sent_notifications[-1][1]
    assert "sent 3 (+3)" in text and "PE-CAP-DAY 1 (+1)" in text and "planned 0 (+0)" in text
