#!/usr/bin/env bash
# Seeds `make run`'s demo tenant: "Demo Shop" with Stripe, Razorpay (and RazorpayX payouts) and PayPal
# connectors on the sandbox (each sandbox account sends signed webhooks to ingress), and a rate limit
# raised for trying things. Prints the tenant's API key on stdout (everything else goes to stderr). Idempotent: the key
# is kept in .run/demo.env and reused while it still works.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=.run/demo.env
: "${PAYMENTS_URL:?}" "${PAYMENTS_INTERNAL_URL:?}" "${SANDBOX_URL:?}" "${COFFER_ADMIN_TOKEN:?}"

if [ -f "$DEMO" ]; then
  . "$DEMO"
  if curl -fsS -o /dev/null -H "Authorization: Bearer ${COFFER_DEMO_API_KEY:-}" "$PAYMENTS_URL/v1/settings" 2>/dev/null; then
    echo "seed: demo tenant ${COFFER_DEMO_TENANT_ID:-} already exists" >&2
    echo "$COFFER_DEMO_API_KEY"
    exit 0
  fi
fi

field() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v := v[k] for k in sys.argv[1].split(".")]; print(v)' "$1"; }
random() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
post() { # method url token json
  curl -fsS -X "$1" "$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' -d "$4"
}

tenant=$(post POST "$PAYMENTS_INTERNAL_URL/admin/tenants" "$COFFER_ADMIN_TOKEN" \
  '{"name":"Demo Shop","settings":{"api_rate_limit_per_minute":6000,"fees":{"platform_fee_bps":500}}}')
tenant_id=$(echo "$tenant" | field id)
key=$(echo "$tenant" | field api_key.secret)

# Stripe: the connector first (it names the webhook URL), then the sandbox account that sends to it.
stripe_key="sk_test_demo_$(random 12)"; stripe_whsec="whsec_$(random 16)"
connector=$(post PUT "$PAYMENTS_URL/v1/connectors/stripe" "$key" \
  "{\"priority\":1,\"credentials\":{\"secret_key\":\"$stripe_key\"},\"webhook_secret\":\"$stripe_whsec\",\"api_base_url\":\"$SANDBOX_URL/stripe\"}")
post POST "$SANDBOX_URL/_sandbox/accounts" x \
  "{\"provider\":\"stripe\",\"secret_key\":\"$stripe_key\",\"webhook_url\":\"$(echo "$connector" | field webhook_url)\",\"webhook_secret\":\"$stripe_whsec\"}" >/dev/null

# The RazorpayX business account number lets payouts pay Indian bank accounts and UPI addresses.
razorpay_id="rzp_test_$(random 7)"; razorpay_secret=$(random 12); razorpay_whsec=$(random 16)
razorpay_account="78787800$(od -An -N4 -tu4 /dev/urandom | tr -d ' ' | head -c 8)"
connector=$(post PUT "$PAYMENTS_URL/v1/connectors/razorpay" "$key" \
  "{\"priority\":2,\"credentials\":{\"key_id\":\"$razorpay_id\",\"key_secret\":\"$razorpay_secret\",\"account_number\":\"$razorpay_account\"},\"webhook_secret\":\"$razorpay_whsec\",\"api_base_url\":\"$SANDBOX_URL/razorpay\"}")
post POST "$SANDBOX_URL/_sandbox/accounts" x \
  "{\"provider\":\"razorpay\",\"key_id\":\"$razorpay_id\",\"key_secret\":\"$razorpay_secret\",\"account_number\":\"$razorpay_account\",\"webhook_url\":\"$(echo "$connector" | field webhook_url)\",\"webhook_secret\":\"$razorpay_whsec\"}" >/dev/null

# PayPal signs webhooks with a certificate ingress would fetch only from PayPal's hosts: pin the sandbox's.
paypal_id="demo-client-$(random 8)"; paypal_secret=$(random 16); paypal_webhook="WH-DEMO-$(random 6)"
certificate=$(curl -fsS "$SANDBOX_URL/_sandbox/paypal/certificate" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
connector=$(post PUT "$PAYMENTS_URL/v1/connectors/paypal" "$key" \
  "{\"priority\":3,\"credentials\":{\"client_id\":\"$paypal_id\",\"client_secret\":\"$paypal_secret\"},\"webhook_id\":\"$paypal_webhook\",\"certificates\":[$certificate],\"api_base_url\":\"$SANDBOX_URL/paypal\"}")
post POST "$SANDBOX_URL/_sandbox/accounts" x \
  "{\"provider\":\"paypal\",\"client_id\":\"$paypal_id\",\"client_secret\":\"$paypal_secret\",\"webhook_url\":\"$(echo "$connector" | field webhook_url)\",\"webhook_id\":\"$paypal_webhook\"}" >/dev/null

umask 077
printf 'COFFER_DEMO_TENANT_ID=%s\nCOFFER_DEMO_API_KEY=%s\n' "$tenant_id" "$key" > "$DEMO"
echo "seed: demo tenant $tenant_id with Stripe, Razorpay and PayPal connectors on the sandbox" >&2
echo "$key"
