"""An authorised agent written in Python with PyNaCl, for test/drp/pynacl.test.ts.

It signs as DRP 1.0 describes and as OSIRAA does: the UTF-8 bytes of `json.dumps(claims)`
(Python's default separators, ", " and ": "), signed with libsodium's combined mode
(`SigningKey.sign`: the 64-byte signature, then the message), in standard base64, sent as
text/plain. Nothing here comes from Pledge; only the standard library and PyNaCl are used.

    pynacl-agent.py keygen
        prints {"seed": <hex>, "verify_key": <base64>}
    pynacl-agent.py run <seed hex> <base URL> <agent id> <business id> <email> <name>
        sets up a pair-wise token, exercises sale:opt-out for the person, reads its status back,
        and sends a copy of another exercise with one byte of its JSON changed; prints what each
        call answered: {"setup", "exercise", "read", "tampered"}, each {"status", "body"}
"""

import base64
import json
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from nacl.signing import SigningKey


def envelope(key, claims):
    return base64.b64encode(key.sign(json.dumps(claims).encode("utf-8"))).decode("ascii")


def call(method, url, body=None, token=None):
    headers = {"Content-Type": "text/plain"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else body.encode("ascii")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, text = answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8")
    return {"status": status, "body": json.loads(text) if text else None}


def window():
    now = datetime.now(timezone.utc)
    return now.isoformat(), (now + timedelta(minutes=15)).isoformat()


def run(seed, base, agent_id, business_id, email, name):
    key = SigningKey(bytes.fromhex(seed))
    issued, expires = window()
    common = {
        "agent-id": agent_id,
        "business-id": business_id,
        "issued-at": issued,
        "expires-at": expires,
        "drp.version": "1.0",
    }
    setup = call("POST", base + "/v1/agent/" + agent_id, envelope(key, common))
    token = (setup["body"] or {}).get("token")

    def exercise(request_id):
        return dict(
            common,
            **{
                "agent-request-id": request_id,
                "exercise": "sale:opt-out",
                "regime": "ccpa",
                "name": name,
                "email": email,
                "email_verified": True,
            },
        )

    taken = call("POST", base + "/v1/data-rights-request", envelope(key, exercise("py-1")), token)
    request_id = (taken["body"] or {}).get("request_id", "none")
    read = call("GET", base + "/v1/data-rights-request/" + request_id, token=token)

    # One byte of the signed JSON changed after signing: "py-2" becomes "py-3".
    signed = bytearray(base64.b64decode(envelope(key, exercise("py-2"))))
    at = signed.index(b'"py-2"', 64) + 4
    signed[at] = ord("3")
    tampered = call("POST", base + "/v1/data-rights-request", base64.b64encode(bytes(signed)).decode("ascii"), token)

    # The token itself stays here.
    setup = {"status": setup["status"], "body": {"agent-id": (setup["body"] or {}).get("agent-id")}}
    return {"setup": setup, "exercise": taken, "read": read, "tampered": tampered}


def main(argv):
    if argv[1:2] == ["keygen"]:
        key = SigningKey.generate()
        print(json.dumps({
            "seed": key.encode().hex(),
            "verify_key": base64.b64encode(key.verify_key.encode()).decode("ascii"),
        }))
    elif argv[1:2] == ["run"] and len(argv) == 8:
        print(json.dumps(run(*argv[2:])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
