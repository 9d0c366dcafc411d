"""A library system (ILS) for Bilik's tests: the third-party pysip2 SIP2
server with a few patrons, answering like Koha (its PB/PC/PI extensions).

    sip2_ils.py [PORT]     (0 or absent: any free port)

Prints "LISTENING <port>" once it accepts connections, then "LOGIN <ok>"
for every 93 login it answers. Patrons (card: what the ILS says):

    1001  valid, birth date, category UMUM, female (custom field XS)
    1002  expired, Koha style: BL=Y, status flags set, PI=N, no expiry date
    1003  blocked (debarred): BL=Y, charge privileges denied, PI=Y
    1004  fines of 75000.00 (over the tests' limit of 50000)
    1005  no internet privilege: PI=N, no flags
    1006  a PIN (4321): CQ=Y with it, CQ=N without or with another
    1007  valid, its name full of control bytes (some vendors send them)
    SLOW  valid, answered after 30 s (a stalled ILS)
    other unknown: BL=N
"""

import sys
import time

import anyio
from pysip2 import (
    LOGIN,
    PATRON_INFORMATION,
    LoginResponse,
    PatronInformationResponse,
    SIP2Server,
    calculate_checksum,
    encode_message,
)

BLANK = " " * 14
# Koha's flags for an expired (or debarred) patron: charge, renewal,
# recall and hold privileges denied.
DENIED = "YYYY" + " " * 10

PATRONS = {
    "1001": dict(name="Siti Aminah", status=BLANK, extra="PB19900115|PCUMUM|PIY|XSP|"),
    "1002": dict(name="Budi Lama", status=DENIED, extra="PB19800101|PCUMUM|PIN|"),
    "1003": dict(name="Joko Diblokir", status=DENIED, extra="PCUMUM|PIY|PA20991231|"),
    "1004": dict(name="Dewi Denda", status=BLANK, fee="75000.00", extra="PCUMUM|PIY|"),
    "1005": dict(name="Rudi Offline", status=BLANK, extra="PCANAK|PIN|"),
    "1006": dict(name="Ani Pin", status=BLANK, pin="4321", extra="PB20080220|PCPELAJAR|PIY|"),
    "1007": dict(name="Wayan\x07\x1b Sudarma\x0b", status=BLANK, extra="PCUMUM|PIY|"),
    "SLOW": dict(name="Lambat", status=BLANK, slow=True, extra="PCUMUM|PIY|"),
}


def now18():
    return time.strftime("%Y%m%d    %H%M%S")


class KohaLikeServer(SIP2Server):
    """pysip2's server, adding Koha's extension fields (which its typed
    models do not carry) to patron information responses."""

    async def _write_response(self, stream, state, decoded, response):
        if not isinstance(response, PatronInformationResponse):
            return await super()._write_response(stream, state, decoded, response)
        patron = PATRONS.get(response.patron_identifier)
        extra = patron["extra"] if patron else ""
        body = encode_message(response, encoding="utf-8")[:-1] + extra.encode("utf-8")
        if decoded.checksum is not None:
            body += b"AY%dAZ" % decoded.sequence_number
            body += calculate_checksum(body).encode("ascii")
        await self._send(stream, state, body + b"\r")


server = KohaLikeServer(login_required=True, institution_id="UJI", encoding="utf-8")


@server.route(LOGIN)
async def login(req, ctx):
    ok = "1" if (req.login_user_id, req.login_password) == ("bilik", "rahasia") else "0"
    print(f"LOGIN {ok}", flush=True)
    return LoginResponse(ok=ok)


@server.route(PATRON_INFORMATION)
async def patron_information(req, ctx):
    patron = PATRONS.get(req.patron_identifier)
    if patron and patron.get("slow"):
        await anyio.sleep(30)
    fields = dict(
        patron_status=patron["status"] if patron else BLANK,
        language="000",
        transaction_date=now18(),
        hold_items_count="0000",
        overdue_items_count="0000",
        charged_items_count="0000",
        fine_items_count="0000",
        recall_items_count="0000",
        unavailable_holds_count="0000",
        institution_id=req.institution_id,
        patron_identifier=req.patron_identifier,
        personal_name=patron["name"] if patron else "",
        valid_patron="Y" if patron else "N",
    )
    if patron and "pin" in patron:
        fields["valid_patron_password"] = "Y" if req.patron_password == patron["pin"] else "N"
    if patron and "fee" in patron:
        fields["currency_type"] = "IDR"
        fields["fee_amount"] = patron["fee"]
    return PatronInformationResponse(**fields)


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    async with server.start(port=port) as bound:
        print(f"LISTENING {bound}", flush=True)
        await anyio.sleep_forever()


if __name__ == "__main__":
    anyio.run(main)
