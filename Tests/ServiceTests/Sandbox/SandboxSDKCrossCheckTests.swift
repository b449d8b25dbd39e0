import Foundation
import Shared
import TestSupport
import XCTest

/// The providers' official SDKs (stripe and razorpay from PyPI, and `cryptography` for PayPal's RSA)
/// drive the sandbox as their clients and verify every webhook it sends: proof that a connector
/// written against the real APIs works against the sandbox unchanged.
final class SandboxSDKCrossCheckTests: XCTestCase {
    func testOfficialSDKsUseTheSandboxAndVerifyItsWebhooks() async throws {
        let venv = try TestEnvironment.require("COFFER_TEST_VENV")
        let harness = try await SandboxHarness.start()
        let script = NSTemporaryDirectory() + "sandbox_sdk_\(UUID().uuidString.prefix(8)).py"
        try SandboxSDKScript.source.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let output = try await TestProcess.run([venv + "/bin/python", script, harness.baseURL])
        var results: [String: Bool] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            let json = try JSONValue.parse(Array(line.utf8))
            let check = json["check"]?.stringValue ?? ""
            results[check] = json["ok"]?.boolValue ?? false
            XCTAssertEqual(json["ok"], true, "\(check): \(json["detail"]?.stringValue ?? "")")
        }
        let expected = [
            "stripe_create", "stripe_idempotent_replay", "stripe_capture", "stripe_refund", "stripe_refund_too_large",
            "stripe_card_error", "stripe_idempotency_error", "stripe_authentication_error",
            "stripe_webhooks_verified_by_sdk",
            "razorpay_order", "razorpay_payment_signature_verified_by_sdk", "razorpay_capture", "razorpay_refund",
            "razorpay_refund_too_large", "razorpay_payment_link", "razorpay_payment_link_signature_verified_by_sdk",
            "razorpay_webhooks_verified_by_sdk", "paypal_capture",
            "paypal_webhooks_verified_by_cryptography", "paypal_amounts_exact",
        ]
        XCTAssertEqual(Set(results.keys), Set(expected), output)
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true, "the SDKs' retries and replays executed nothing twice")
        await harness.stop()
    }
}

/// The Python half of the cross-check, kept here so the test target holds only Swift sources.
enum SandboxSDKScript {
    static let source = #"""
        """Drives the sandbox with the providers' official SDKs and verifies its webhooks with them.

        usage: sandbox_sdk.py SANDBOX_URL. Prints one JSON line per check: {"check", "ok", "detail"}."""
        import base64, json, sys, threading, time, urllib.request, urllib.parse, zlib
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import razorpay
        import stripe
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        SANDBOX = sys.argv[1]
        RUN = str(int(time.time() * 1000))
        received = []
        lock = threading.Lock()


        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass


        server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        HOOKS = "http://127.0.0.1:%d" % server.server_address[1]


        def report(check, ok, detail=""):
            print(json.dumps({"check": check, "ok": bool(ok), "detail": str(detail)}), flush=True)


        def control(path, body=None):
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(SANDBOX + path, data=data, method="POST" if data else "GET",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request) as response:
                return response.read()


        def wait_for(path, count, timeout=10):
            deadline = time.time() + timeout
            while time.time() < deadline:
                with lock:
                    matching = [item for item in received if item[0] == path]
                if len(matching) >= count:
                    return matching
                time.sleep(0.05)
            with lock:
                return [item for item in received if item[0] == path]


        # Stripe: the official library as the client, its Webhook class as the verifier.
        stripe_key, stripe_secret = "sk_test_sdk" + RUN, "whsec_sdk" + RUN
        control("/_sandbox/accounts", {"provider": "stripe", "secret_key": stripe_key, "webhook_url": HOOKS + "/stripe",
                                       "webhook_secret": stripe_secret})
        stripe.api_key = stripe_key
        stripe.api_base = SANDBOX + "/stripe"
        stripe.max_network_retries = 0
        intent = stripe.PaymentIntent.create(amount=1234, currency="usd", capture_method="manual", confirm=True,
                                             payment_method="pm_card_visa", metadata={"coffer_payment_id": "pay_SDK" + RUN},
                                             idempotency_key="sdk-create-" + RUN)
        report("stripe_create", intent.status == "requires_capture" and intent.amount_capturable == 1234, intent.status)
        again = stripe.PaymentIntent.create(amount=1234, currency="usd", capture_method="manual", confirm=True,
                                            payment_method="pm_card_visa", metadata={"coffer_payment_id": "pay_SDK" + RUN},
                                            idempotency_key="sdk-create-" + RUN)
        report("stripe_idempotent_replay", again.id == intent.id, again.id)
        captured = stripe.PaymentIntent.capture(intent.id, amount_to_capture=1000, idempotency_key="sdk-capture-" + RUN)
        report("stripe_capture", captured.status == "succeeded" and captured.amount_received == 1000, captured.status)
        refund = stripe.Refund.create(payment_intent=intent.id, amount=400, metadata={"coffer_refund_id": "re_SDK" + RUN})
        report("stripe_refund", refund.status == "succeeded" and refund.amount == 400, refund.id)
        try:
            stripe.Refund.create(payment_intent=intent.id, amount=601)
            report("stripe_refund_too_large", False, "accepted")
        except stripe.error.InvalidRequestError as error:
            report("stripe_refund_too_large", error.code == "amount_too_large" and error.http_status == 400, error.code)
        try:
            stripe.PaymentIntent.create(amount=500, currency="usd", confirm=True, payment_method="pm_card_chargeDeclined")
            report("stripe_card_error", False, "accepted")
        except stripe.error.CardError as error:
            report("stripe_card_error", error.code == "card_declined" and error.http_status == 402, error.code)
        try:
            stripe.PaymentIntent.create(amount=999, currency="usd", idempotency_key="sdk-create-" + RUN)
            report("stripe_idempotency_error", False, "accepted")
        except stripe.error.IdempotencyError as error:
            report("stripe_idempotency_error", error.http_status == 400, type(error).__name__)
        try:
            stripe.PaymentIntent.retrieve("pi_missing", api_key="sk_test_wrong")
            report("stripe_authentication_error", False, "accepted")
        except stripe.error.AuthenticationError as error:
            report("stripe_authentication_error", error.http_status == 401, type(error).__name__)
        stripe_hooks = wait_for("/stripe", 7)
        verified = 0
        for _, headers, body in stripe_hooks:
            event = stripe.Webhook.construct_event(body.decode(), headers["stripe-signature"], stripe_secret)
            verified += 1 if event["object"] == "event" else 0
        report("stripe_webhooks_verified_by_sdk", verified == len(stripe_hooks) and verified >= 7, verified)

        # Razorpay: the official client (pointed at the sandbox), its Utility class for both signatures.
        rzp_id, rzp_secret, rzp_hook = "rzp_test_sdk" + RUN, "rzpsecret" + RUN, "rzphook" + RUN
        control("/_sandbox/accounts", {"provider": "razorpay", "key_id": rzp_id, "key_secret": rzp_secret,
                                       "webhook_url": HOOKS + "/razorpay", "webhook_secret": rzp_hook})
        control("/_sandbox/behaviour", {"provider": "razorpay", "account": rzp_id, "auto_complete": False})
        client = razorpay.Client(auth=(rzp_id, rzp_secret), base_url=SANDBOX + "/razorpay")
        order = client.order.create({"amount": 50000, "currency": "INR", "receipt": "pay_RZSDK" + RUN, "payment_capture": 0})
        report("razorpay_order", order["status"] == "created" and order["amount_due"] == 50000, order["id"])


        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None


        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(SANDBOX + "/razorpay/checkout/" + order["id"] + "?callback_url=" + urllib.parse.quote("https://shop.example/cb"))
            location = ""
        except urllib.error.HTTPError as redirect:
            location = redirect.headers.get("Location", "")
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
        try:
            client.utility.verify_payment_signature(params)
            report("razorpay_payment_signature_verified_by_sdk", "razorpay_payment_id" in params, params.get("razorpay_payment_id"))
        except Exception as error:
            report("razorpay_payment_signature_verified_by_sdk", False, error)
        payment_id = params.get("razorpay_payment_id", "")
        captured = client.payment.capture(payment_id, 50000, {"currency": "INR"})
        report("razorpay_capture", captured["status"] == "captured", captured["status"])
        refund = client.payment.refund(payment_id, {"amount": 10000, "notes": {"coffer_refund_id": "re_RZSDK" + RUN}})
        report("razorpay_refund", refund["status"] == "processed" and refund["amount"] == 10000, refund["id"])
        try:
            client.payment.refund(payment_id, {"amount": 40001})
            report("razorpay_refund_too_large", False, "accepted")
        except razorpay.errors.BadRequestError as error:
            report("razorpay_refund_too_large", True, error)
        link = client.payment_link.create({"amount": 25000, "currency": "INR", "reference_id": "plref" + RUN,
                                           "callback_url": "https://shop.example/plink", "callback_method": "get",
                                           "notes": {"coffer_payment_id": "pay_PLSDK" + RUN}})
        report("razorpay_payment_link", link["status"] == "created" and link["short_url"].startswith(SANDBOX), link["id"])
        try:
            opener.open(link["short_url"])
            location = ""
        except urllib.error.HTTPError as redirect:
            location = redirect.headers.get("Location", "")
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
        try:
            signed = client.utility.verify_payment_link_signature({
                "razorpay_payment_id": params.get("razorpay_payment_id"), "payment_link_id": params.get("razorpay_payment_link_id"),
                "payment_link_reference_id": params.get("razorpay_payment_link_reference_id"),
                "payment_link_status": params.get("razorpay_payment_link_status"), "razorpay_signature": params.get("razorpay_signature")})
            paid = client.payment_link.fetch(link["id"])["status"] == "paid"
            report("razorpay_payment_link_signature_verified_by_sdk", signed and paid, params.get("razorpay_payment_link_status"))
        except Exception as error:
            report("razorpay_payment_link_signature_verified_by_sdk", False, error)
        rzp_hooks = wait_for("/razorpay", 5)
        verified = 0
        for _, headers, body in rzp_hooks:
            if client.utility.verify_webhook_signature(body.decode(), headers["x-razorpay-signature"], rzp_hook):
                verified += 1
        report("razorpay_webhooks_verified_by_sdk", verified == len(rzp_hooks) and verified >= 5, verified)

        # PayPal: its REST API with plain HTTP, the webhooks verified with the certificate as PayPal's SDKs do.
        pp_id, pp_secret, pp_webhook = "AZsdk" + RUN, "ELsdk" + RUN, "WH-SDK" + RUN
        control("/_sandbox/accounts", {"provider": "paypal", "client_id": pp_id, "client_secret": pp_secret,
                                       "webhook_url": HOOKS + "/paypal", "webhook_id": pp_webhook})


        def paypal(method, path, body=None, token=None, extra=None):
            headers = {"Content-Type": "application/json", **(extra or {})}
            if token:
                headers["Authorization"] = "Bearer " + token
            request = urllib.request.Request(SANDBOX + "/paypal" + path, data=json.dumps(body).encode() if body is not None else None,
                                             method=method, headers=headers)
            with urllib.request.urlopen(request) as response:
                text = response.read()
                return json.loads(text) if text else None


        basic = base64.b64encode((pp_id + ":" + pp_secret).encode()).decode()
        token_request = urllib.request.Request(SANDBOX + "/paypal/v1/oauth2/token", data=b"grant_type=client_credentials", method="POST",
                                               headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(token_request) as response:
            token = json.loads(response.read())["access_token"]
        created = paypal("POST", "/v2/checkout/orders", {"intent": "CAPTURE", "purchase_units": [
            {"custom_id": "pay_PPSDK" + RUN, "amount": {"currency_code": "EUR", "value": "19.99"}}]}, token, {"PayPal-Request-Id": "pp-" + RUN})
        wait_for("/paypal", 1)
        capture = paypal("POST", "/v2/checkout/orders/%s/capture" % created["id"], None, token, {"PayPal-Request-Id": "ppc-" + RUN})
        capture_id = capture["purchase_units"][0]["payments"]["captures"][0]["id"]
        report("paypal_capture", capture["status"] == "COMPLETED", capture_id)
        paypal("POST", "/v2/payments/captures/%s/refund" % capture_id, {"amount": {"currency_code": "EUR", "value": "0.99"}}, token)
        certificate = x509.load_pem_x509_certificate(control("/_sandbox/paypal/certificate"))
        pp_hooks = wait_for("/paypal", 3)
        verified = 0
        for _, headers, body in pp_hooks:
            message = "%s|%s|%s|%d" % (headers["paypal-transmission-id"], headers["paypal-transmission-time"], pp_webhook,
                                       zlib.crc32(body) & 0xFFFFFFFF)
            try:
                certificate.public_key().verify(base64.b64decode(headers["paypal-transmission-sig"]), message.encode(),
                                                padding.PKCS1v15(), hashes.SHA256())
                verified += 1
            except Exception:
                pass
        report("paypal_webhooks_verified_by_cryptography", verified == len(pp_hooks) and verified >= 3, verified)
        amounts = [json.loads(body)["resource"].get("amount", {}).get("value") for _, _, body in pp_hooks]
        report("paypal_amounts_exact", "19.99" in amounts and "0.99" in amounts, amounts)
        server.shutdown()
        """#
}
