#!/usr/bin/env python3
"""Seeds a tenant and a Stripe connector into a running ingress the way payments does (signed
tenant.upserted / connector.upserted events, secrets sealed with COFFER_MASTER_KEY), and writes
pre-signed Stripe webhooks with unique event ids for wrk to replay.

usage: coffer_seed.py INGRESS_INTERNAL_URL COUNT OUTFILE   (env: COFFER_INTERNAL_SECRETS, COFFER_MASTER_KEY)
prints the tenant id."""
import base64, hashlib, hmac, json, os, secrets, sys, time, urllib.request
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

def coffer_id(prefix):
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return prefix + "_" + "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))

def seal(master_key_b64, plaintext, context):
    key = base64.b64decode(master_key_b64)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return "v1." + base64.urlsafe_b64encode(sealed).decode().rstrip("=")

def pair_secret(secrets_list, sender, receiver):
    for entry in secrets_list.split(","):
        pair, _, secret = entry.partition(":")
        if pair == f"{sender}>{receiver}":
            return secret
    sys.exit(f"COFFER_INTERNAL_SECRETS has no {sender}>{receiver} pair")

def post_events(ingress, internal_secret, events):
    # Signed as payments signs its calls to ingress (its own pair secret, the sender named).
    body = json.dumps(events, separators=(",", ":")).encode()
    ts = int(time.time())
    mac = hmac.new(internal_secret.encode(), f"{ts}.payments.POST /internal/events.".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(ingress + "/internal/events", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Coffer-Signature": f"t={ts},s=payments,v1={mac}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, response.read()

def envelope(kind, tenant, data):
    return {"id": coffer_id("evt"), "type": kind, "source": "payments", "tenant_id": tenant,
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "correlation_id": None, "data": data}

def main():
    ingress, count, outfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    internal = pair_secret(os.environ["COFFER_INTERNAL_SECRETS"], "payments", "ingress")
    master = os.environ["COFFER_MASTER_KEY"]
    tenant, connector, webhook_secret = coffer_id("ten"), coffer_id("con"), "whsec_" + secrets.token_hex(16)
    post_events(ingress, internal, [
        envelope("tenant.upserted", tenant, {"tenant_id": tenant, "name": "Bench", "status": "active", "settings": {}, "version": 1}),
        envelope("connector.upserted", tenant, {
            "connector_id": connector, "tenant_id": tenant, "provider": "stripe", "mode": "test", "status": "active", "priority": 1,
            "sealed_secrets": {"webhook_secret": seal(master, webhook_secret, f"connector:{connector}:webhook_secret")}, "version": 1}),
    ])
    now = int(time.time())
    with open(outfile, "w") as out:
        for i in range(count):
            body = json.dumps({
                "id": f"evt_bench_{secrets.token_hex(8)}_{i}", "object": "event", "api_version": "2024-06-20", "created": now,
                "livemode": False, "type": "payment_intent.succeeded",
                "data": {"object": {"id": f"pi_{secrets.token_hex(8)}", "object": "payment_intent", "amount": 2000 + i % 500,
                                    "amount_received": 2000 + i % 500, "currency": "usd", "status": "succeeded",
                                    "metadata": {"coffer_payment_id": coffer_id("pay")}}}}, separators=(",", ":"))
            sig = hmac.new(webhook_secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
            out.write(f"t={now},v1={sig}\t{body}\n")
    print(tenant)

main()
