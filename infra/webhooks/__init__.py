"""Outbound webhooks: Standard Webhooks signing and an SSRF-safe HTTP sender for partner endpoints.

`signing.StandardWebhooksSigner` implements `domain.webhooks.Signer`; `http.SafeWebhookSender` implements
`domain.webhooks.WebhookSender` (https only, every resolved address vetted and pinned, no redirects).
"""
