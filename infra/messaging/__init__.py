"""Provider adapters for reminders: SES e-mail, SNS SMS and push, WhatsApp (AWS End User Messaging),
the tenants' digest topics, the parser of delivery feedback and the local bootstrap of their resources.

Modules import botocore only where they call AWS; `feedback` stays light for its Lambda.
"""

TAG_REFERENCE = "recaudo-ref"
"""SES message tag carrying our message id, echoed back in event-publishing notifications."""
TAG_TENANT = "recaudo-tenant"
"""SES message tag carrying the tenant id."""
