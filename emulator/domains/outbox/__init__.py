"""Outbox for sends: e-mail, SMS, template messages, WeChat and WeCom messages go nowhere; they
land in the tenant's outbox (records of the send-record resources), rendered per recipient."""

from __future__ import annotations

from emulator.domains import Handlers
from emulator.domains.outbox import edm, messages, sms

HANDLERS: Handlers = {**edm.HANDLERS, **sms.HANDLERS, **messages.HANDLERS}
