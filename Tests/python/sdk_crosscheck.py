#!/usr/bin/env python3
"""Cross-checks Coffer's ingress against the providers' official SDKs (run by IngressSDKCrossCheckTests).

Each check produces a webhook the way the SDK does (or proves the SDK itself accepts exactly the
header sent), posts it to a running ingress, and prints one JSON line: {"check", "status", "sdk_ok"}.
usage: sdk_crosscheck.py INGRESS_URL TENANT_ID  (secrets as in the test)"""
import hashlib, hmac, json, sys, time, urllib.error, urllib.request, uuid

import razorpay
import standardwebhooks
import stripe
from phonepe.sdk.pg.common.utils.hash_utils import is_callback_valid
from phonepe.sdk.pg.payments.v2.models.callback_response import CallbackResponse

INGRESS, TENANT = sys.argv[1], sys.argv[2]
STRIPE_SECRET = "whsec_sdk_stripe_secret"
RAZORPAY_SECRET = "rzp_sdk_webhook_secret"
STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PHONEPE_USER, PHONEPE_PASSWORD = "merchant-user", "merchant-password"


def post(path, body, headers):
    request = urllib.request.Request(INGRESS + path, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def report(check, status, sdk_ok=True):
    print(json.dumps({"check": check, "status": status, "sdk_ok": sdk_ok}), flush=True)


# Stripe: the SDK makes the Stripe-Signature header itself.
event = json.dumps({"id": "evt_sdk_" + uuid.uuid4().hex[:10], "object": "event", "type": "payment_intent.succeeded", "livemode": False,
                    "created": int(time.time()), "data": {"object": {"id": "pi_sdk", "object": "payment_intent", "amount": 4200,
                    "amount_received": 4200, "currency": "eur", "metadata": {"coffer_payment_id": "pay_SDK1"}}}})
header = stripe.WebhookSignature.generate_signature_header(event, STRIPE_SECRET)
report("stripe_signed_by_sdk", post(f"/webhooks/stripe/{TENANT}", event, {"Stripe-Signature": header}))
stale = stripe.WebhookSignature.generate_signature_header(event, STRIPE_SECRET, timestamp=int(time.time()) - 3600)
report("stripe_stale_by_sdk", post(f"/webhooks/stripe/{TENANT}", event, {"Stripe-Signature": stale}))
# And the reverse: what ingress accepts, the SDK verifies too.
report("stripe_sdk_verifies_same_header", 200, sdk_ok=bool(stripe.WebhookSignature.verify_header(event, header, STRIPE_SECRET, 300)))

# Razorpay: the SDK only verifies; the signature sent is the one it accepts.
rzp_body = json.dumps({"entity": "event", "event": "payment.captured", "contains": ["payment"], "created_at": int(time.time()),
                       "payload": {"payment": {"entity": {"id": "pay_SDKR", "amount": 9900, "currency": "INR", "status": "captured"}}}})
signature = hmac.new(RAZORPAY_SECRET.encode(), rzp_body.encode(), hashlib.sha256).hexdigest()
client = razorpay.Client(auth=("key", "secret"))
sdk_ok = client.utility.verify_webhook_signature(rzp_body, signature, RAZORPAY_SECRET)
report("razorpay_signature_the_sdk_verifies",
       post(f"/webhooks/razorpay/{TENANT}", rzp_body, {"X-Razorpay-Signature": signature, "x-razorpay-event-id": "evt_" + uuid.uuid4().hex[:12]}),
       sdk_ok=bool(sdk_ok))
try:
    client.utility.verify_webhook_signature(rzp_body, "0" * 64, RAZORPAY_SECRET)
    rejected_by_sdk = False
except razorpay.errors.SignatureVerificationError:
    rejected_by_sdk = True
report("razorpay_forgery_rejected_by_both",
       post(f"/webhooks/razorpay/{TENANT}", rzp_body, {"X-Razorpay-Signature": "0" * 64}), sdk_ok=rejected_by_sdk)

# Standard Webhooks: the library signs.
wh = standardwebhooks.Webhook(STANDARD_SECRET)
msg_id, now = "msg_" + uuid.uuid4().hex[:12], int(time.time())
payload = json.dumps({"type": "payment.captured", "timestamp": "2026-11-21T10:00:00Z",
                      "data": {"object_id": "obj_sdk", "amount": 700, "currency": "USD"}})
from datetime import datetime, timezone
signature = wh.sign(msg_id, datetime.fromtimestamp(now, tz=timezone.utc), payload)
report("standard_signed_by_library", post(f"/webhooks/standard/{TENANT}", payload,
                                          {"webhook-id": msg_id, "webhook-timestamp": str(now), "webhook-signature": signature}))

# PhonePe v2: the Authorization header the SDK's own validator accepts, and a body its model parses.
authorization = hashlib.sha256(f"{PHONEPE_USER}:{PHONEPE_PASSWORD}".encode()).hexdigest()
callback = json.dumps({"event": "checkout.order.completed", "type": "CHECKOUT_ORDER_COMPLETED",
                       "payload": {"orderId": "OMO" + uuid.uuid4().hex[:8], "merchantOrderId": "pay_PP1", "state": "COMPLETED", "amount": 1000}})
sdk_ok = is_callback_valid(PHONEPE_USER, PHONEPE_PASSWORD, authorization) and CallbackResponse.from_dict(json.loads(callback)).payload is not None
report("phonepe_callback_the_sdk_validates", post(f"/webhooks/phonepe/{TENANT}", callback, {"Authorization": authorization}), sdk_ok=bool(sdk_ok))
report("phonepe_wrong_credential", post(f"/webhooks/phonepe/{TENANT}", callback, {"Authorization": "f" * 64}),
       sdk_ok=not is_callback_valid(PHONEPE_USER, PHONEPE_PASSWORD, "f" * 64))
