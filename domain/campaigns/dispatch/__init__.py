"""The dispatcher's parts: a send job becomes one lawful, rendered message, sent at most once.

`domain.campaigns.dispatcher.Dispatcher` is the use case; these modules are its steps:
`loading` (re-read what the job names), `ownership` (the job's claims and the message an earlier attempt
left), `decisions` (the contact policy and the address), `rendering`, `sending` (the provider and its
outcomes), `call_tasks`, and `records` (every write of a message and the campaign counters).
"""
