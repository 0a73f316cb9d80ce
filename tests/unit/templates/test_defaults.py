"""The starter templates: complete per locale, valid, rendering, polite and identifying the creditor."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date

import pytest

from domain.templates import (
    TemplateBody,
    TemplateChannel,
    check_template,
    default_templates,
    render,
    sample_context,
    sms_info,
)

TODAY = date(2026, 12, 1)
LOCALES = ("es-PE", "es-CO", "es-MX", "es-CL", "en-US")
MESSAGES = ("before-due", "due-today", "overdue", "final-notice", "consolidated")
SENT = (TemplateChannel.EMAIL, TemplateChannel.SMS, TemplateChannel.WHATSAPP)
EVENT_MESSAGES = ("instalment-due", "promise-due")
"""For event-triggered steps (INSTALMENT_DUE, PROMISE_DUE_TOMORROW): e-mail and SMS."""
EVENT_SENT = (TemplateChannel.EMAIL, TemplateChannel.SMS)
STARTERS = default_templates()
THREATS = re.compile(
    r"embarg|demanda|judicial|abogad|denuncia|penal|c[aá]rcel|prisi[oó]n|infocorp|central de riesgo"
    r"|lawsuit|\bsue\b|arrest|jail|garnish|attorney|legal action|credit bureau",
    re.IGNORECASE,
)


def _id(item: tuple[str, TemplateBody]) -> str:
    return f"{item[0]}-{item[1].channel}-{item[1].locale}"


def test_every_locale_has_the_full_set() -> None:
    have = Counter((b.locale, name, b.channel) for name, b in STARTERS)
    for locale in LOCALES:
        for name in MESSAGES:
            for channel in SENT:
                assert have[(locale, name, channel)] == 1, (locale, name, channel)
        for name in EVENT_MESSAGES:
            for channel in EVENT_SENT:
                assert have[(locale, name, channel)] == 1, (locale, name, channel)
        assert have[(locale, "call-script", TemplateChannel.CALL_TASK)] == 1
    per_locale = len(MESSAGES) * len(SENT) + len(EVENT_MESSAGES) * len(EVENT_SENT) + 1
    assert len(STARTERS) == len(LOCALES) * per_locale
    assert default_templates() is not STARTERS  # callers get their own list


@pytest.mark.parametrize("item", STARTERS, ids=_id)
def test_every_starter_checks_and_renders_in_its_locale(item: tuple[str, TemplateBody]) -> None:
    name, body = item
    assert check_template(body) == []
    ctx = sample_context(body.locale, None, TODAY)
    for facts in (dataclasses.replace(ctx, debts=ctx.debts[:1]), ctx):
        out = render(body, facts, opt_out_notice=True, unsubscribe_url="https://x.example/u")
        shown = out.preview if body.channel is TemplateChannel.WHATSAPP else (out.text or "")
        assert facts.creditor_name in shown  # named by the template itself, not only by the engine
        assert not THREATS.search(shown) and not THREATS.search(out.html or "")
        assert "{{" not in shown and "None" not in shown
        if body.channel is TemplateChannel.EMAIL:
            assert out.subject and facts.creditor_name in out.subject and out.html
        if len(facts.debts) > 1 and name == "consolidated":
            assert all(d.number and d.number in shown for d in facts.debts)


@pytest.mark.parametrize("item", STARTERS, ids=_id)
def test_spanish_and_english_texts(item: tuple[str, TemplateBody]) -> None:
    _, body = item
    source = " ".join(p for p in (body.subject, body.text, body.preview_text) if p)
    spanish = re.search(r"\b(Hola|Llamada|su pago|saldo)\b", source)
    english = re.search(r"\b(Hello|Hi|Call|payment|balance)\b", source)
    assert spanish if body.locale.startswith("es") else english, source


@pytest.mark.parametrize("item", [i for i in STARTERS if i[1].channel is TemplateChannel.SMS], ids=_id)
def test_sms_starters_stay_in_gsm7_with_plain_names(item: tuple[str, TemplateBody]) -> None:
    _, body = item
    ctx = dataclasses.replace(sample_context(body.locale, None, TODAY), debtor_name="Ana Perez")
    ctx = dataclasses.replace(ctx, creditor_name="Acme", debts=ctx.debts[:1])
    out = render(body, ctx, opt_out_notice=True)
    assert out.sms_encoding == "GSM-7" and out.sms_segments is not None and out.sms_segments <= 2
    assert out.text is not None and sms_info(out.text) == (out.sms_encoding, out.sms_segments)


def test_whatsapp_starters_use_provider_language_codes() -> None:
    languages = {b.locale: b.whatsapp_language for _, b in STARTERS if b.channel is TemplateChannel.WHATSAPP}
    assert languages == {"es-PE": "es", "es-CO": "es", "es-MX": "es_MX", "es-CL": "es", "en-US": "en_US"}
    names = {(n, b.whatsapp_template) for n, b in STARTERS if b.channel is TemplateChannel.WHATSAPP}
    assert len({n for n, _ in names}) == len(names)  # one provider template per message, in every language


def test_the_call_script_asks_to_confirm_identity_and_not_to_threaten() -> None:
    scripts = {b.locale: b.text or "" for n, b in STARTERS if n == "call-script"}
    assert "Confirme que habla con" in scripts["es-PE"] and "Nunca amenace" in scripts["es-PE"]
    assert "Confirm you are speaking with" in scripts["en-US"] and "Never threaten" in scripts["en-US"]
