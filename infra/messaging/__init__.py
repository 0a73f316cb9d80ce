"""Provider adapters for reminders: SES e-mail, SNS SMS and push, WhatsApp (AWS End User Messaging)."""
