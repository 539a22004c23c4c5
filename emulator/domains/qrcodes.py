"""QR codes: WeChat parameter codes, temporary ones expiring on the virtual clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.clock import Clock, epoch
from emulator.domains import Call, Handlers
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

QRCODE = "qrcode"
DEFAULT_EXPIRE_SECONDS = 60  # WeChat's parameter QR codes: 60 s when expire_seconds is left out
URL = "http://weixin.qq.com/q/"  # the content of WeChat's parameter QR codes starts so


class QrCodes:
    """QR codes as records of `qrcode`; url, expiry and status are shown as of the moment read."""

    def __init__(self, clock: Clock, records: Records) -> None:
        self._clock, self._records = clock, records

    def create(self, kind: str, fields: Json) -> Json:
        """A new code: a temporary one lives expire_seconds (60 by default), a permanent one
        takes none."""
        if kind == "temporary":
            fields = {"expire_seconds": DEFAULT_EXPIRE_SECONDS, **fields}
        elif "expire_seconds" in fields:
            reason = "a permanent QR code does not expire; leave expire_seconds out"
            raise ApiError("unmet_rule", path="$.expire_seconds", reason=reason)
        return self.view(self._records.create(QRCODE, {**fields, "type": kind}))

    def get(self, uuid: str) -> Json:
        """The code with this id, as of now."""
        return self.view(self._records.get(QRCODE, uuid))

    def all(self) -> list[Json]:
        """Every code, oldest first, as of now."""
        return [self.view(record) for record in self._records.find(QRCODE)]

    def view(self, record: Json) -> Json:
        """A code as the API shows it: its url; when temporary, when it expires and whether it
        has (status expired from that second on)."""
        uuid = record[self._records.resource(QRCODE).id_field]
        shown = {**record, "url": URL + uuid, "status": "valid"}
        if record.get("type") == "temporary":
            seconds = record.get("expire_seconds", DEFAULT_EXPIRE_SECONDS)
            expires = self._clock.text(epoch(record["create_time"]) + seconds)
            expired = self._clock.text() >= expires
            shown.update(expire_time=expires, status="expired" if expired else "valid")
        return shown


def create_temporary(call: Call) -> Json:
    return call.state.qrcodes.create("temporary", call.body)


def create_permanent(call: Call) -> Json:
    return call.state.qrcodes.create("permanent", call.body)


HANDLERS: Handlers = {
    "qrcode.temporary.create": create_temporary,
    "qrcode.permanent.create": create_permanent,
}
