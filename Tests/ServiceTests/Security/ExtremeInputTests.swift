import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Issue 9, item 2's class: any integer a client sends can be extreme. Every JSON field of every
/// endpoint, every header Coffer parses and every numeric query parameter gets extreme values
/// (Int64's ends and beyond, huge exponents, long digit strings, wrong types), one at a time, against
/// the real processes; each must answer without a 5xx and stay up.
final class ExtremeInputTests: XCTestCase {
    static let numbers: [JSONValue] = [
        .int(.max), .int(.min), .number("9223372036854775808"), .number("-9223372036854775809"), .number("1e309"),
        .number("-1e309"),
        .number("-0"), .number("0.000000000000000000001"), .number("123456789012345678901234567890"), .int(0), .int(-1),
        .string("9223372036854775807"), .string("-9223372036854775808"), .string(String(repeating: "9", count: 400)),
        .null, .bool(true), .array([.int(.max)]), .object(["x": .int(.min)]),
    ]
    static let headerValues = [
        "-9223372036854775808", "9223372036854775807", "99999999999999999999999999", "-1", "1e309", "0",
        String(repeating: "9", count: 2000), "t=-9223372036854775808,v1=00", "NaN",
    ]

    struct Endpoint {
        let method: HTTPMethod
        let path: String
        let body: [String: JSONValue]
    }

    func testExtremeValuesInEveryFieldHeaderAndQueryNeverTakeAServiceDown() async throws {
        let harness = try await PayoutsHarness.start(ingress: true)
        var problems: [String] = []
        do {
            let tenant = try await harness.createTenant()
            let payee = try await harness.createPayee(tenant, balance: 100_000)
            // Settings are changed with a live key (a test key is refused before any field is read).
            let liveKey = try await harness.createKey(tenant, role: "full", livemode: true)
            let payments = harness.payments.baseURL, payouts = harness.payouts.baseURL
            let ingress = try XCTUnwrap(harness.ingress)
            let endpoints: [(String, Endpoint)] = [
                (
                    payments,
                    Endpoint(
                        method: .POST, path: "/v1/payments",
                        body: [
                            "amount": 1000, "currency": "INR", "capture_method": "manual", "description": "x",
                            "metadata": ["k": "v"],
                            "customer": ["email": "a@b.co"], "payee_id": .string(payee),
                        ])
                ),
                (
                    payments,
                    Endpoint(
                        method: .POST, path: "/v1/payments/pay_01JD0000000000000000000000/capture",
                        body: ["amount_to_capture": 10])
                ),
                (
                    payments,
                    Endpoint(
                        method: .POST, path: "/v1/payments/pay_01JD0000000000000000000000/refunds",
                        body: ["amount": 10, "reason": "x"])
                ),
                (
                    payments,
                    Endpoint(
                        method: .PATCH, path: "/v1/settings",
                        body: [
                            "api_rate_limit_per_minute": 10,
                            "refund_policy": ["window_days": 1, "max_refund_share_bps": 10],
                            "fees": ["platform_fee_bps": 1, "provider_fee_fixed": ["USD": 1]],
                            "payout_limits": [
                                "max_single_payout": ["INR": 1], "max_payouts_per_payee_per_day": 1,
                                "new_payee_cooling_hours": 1,
                            ],
                            "test_payout": ["amount_major_units": 1],
                        ])
                ),
                (
                    payments,
                    Endpoint(
                        method: .PUT, path: "/v1/connectors/stripe",
                        body: [
                            "priority": 1, "credentials": ["secret_key": "sk_test_x"], "webhook_secret": "whsec_x",
                        ])
                ),
                (
                    harness.payments.internalURL,
                    Endpoint(
                        method: .POST, path: "/admin/tenants",
                        body: [
                            "name": "x", "settings": ["api_rate_limit_per_minute": 10],
                        ])
                ),
                (
                    payouts,
                    Endpoint(
                        method: .POST, path: "/v1/payees",
                        body: [
                            "name": "x", "type": "seller", "currency": "INR",
                            "destination": [
                                "type": "bank_account", "account_number": "123456789012", "ifsc": "HDFC0001234",
                                "holder_name": "x",
                            ],
                        ])
                ),
                (
                    payouts,
                    Endpoint(
                        method: .POST, path: "/v1/payouts",
                        body: [
                            "payee_id": .string(payee), "amount": 100, "currency": "INR",
                            "scheduled_for": "2030-01-01T00:00:00Z",
                        ])
                ),
                (
                    payouts,
                    Endpoint(
                        method: .POST, path: "/v1/payout-batches",
                        body: [
                            "dry_run": true, "items": [["payee_id": .string(payee), "amount": 100, "currency": "INR"]],
                        ])
                ),
                (
                    harness.payouts.internalURL,
                    Endpoint(
                        method: .POST, path: "/admin/payees/\(payee)/credits",
                        body: [
                            "amount": 100, "currency": "INR", "reason": "x",
                        ])
                ),
            ]
            let client = LoopHTTPClient()
            func send(_ base: String, _ method: HTTPMethod, _ path: String, _ body: [UInt8], headers: HTTPHeaders) async
            {
                var all = headers
                if !all.contains("Authorization") {
                    let bearer =
                        path.hasPrefix("/admin")
                        ? TestStackEnvironment.adminToken : path == "/v1/settings" ? liveKey : tenant.key
                    all.add("Authorization", "Bearer " + bearer)
                }
                if !body.isEmpty, !all.contains("Content-Type") { all.add("Content-Type", "application/json") }
                do {
                    let answer = try await client.send(
                        HTTPClientRequest(
                            method: method, url: base + path, headers: all, body: body,
                            timeout: .seconds(30)))
                    if answer.status.code >= 500, answer.status.code != 503 {
                        problems.append("\(method) \(path) \(answer.status.code): \(answer.bodyText.prefix(200))")
                    }
                } catch {
                    problems.append("\(method) \(path): no answer (\(error))")
                }
            }
            // Every field, one at a time, at every extreme (nested objects too, one level down).
            for (base, endpoint) in endpoints {
                for (field, value) in endpoint.body {
                    var variants: [[String: JSONValue]] = Self.numbers.map {
                        var body = endpoint.body; body[field] = $0; return body
                    }
                    if case .object(let inner) = value {
                        for (innerField, innerValue) in inner {
                            for extreme in Self.numbers {
                                var nested = inner
                                nested[innerField] = extreme
                                if case .object(let deeper) = innerValue, let key = deeper.keys.first {
                                    nested[innerField] = .object([key: extreme])
                                }
                                var body = endpoint.body
                                body[field] = .object(nested)
                                variants.append(body)
                            }
                        }
                    }
                    for body in variants {
                        await send(
                            base, endpoint.method, endpoint.path, JSONValue.object(body).serialized(),
                            headers: ["Idempotency-Key": .init(UUID().uuidString)])
                    }
                }
                // Every header Coffer reads, at every extreme.
                for header in [
                    "Idempotency-Key", "X-Correlation-ID", "traceparent", "X-Forwarded-For", "Content-Type",
                    "Authorization",
                    "X-Coffer-Signature", "Expect",
                ] {
                    for value in Self.headerValues {
                        await send(
                            base, endpoint.method, endpoint.path, JSONValue.object(endpoint.body).serialized(),
                            headers: [header: value])
                    }
                }
            }
            // Numeric query parameters.
            for (base, path) in [
                (payments, "/v1/payments"), (payments, "/v1/refunds"), (payouts, "/v1/payouts"),
                (payouts, "/v1/payees"),
                (payments, "/v1/audit"), (harness.payments.internalURL, "/admin/tenants"),
                (ingress.internalURL, "/admin/events"), (ingress.internalURL, "/admin/attempts"),
            ] {
                for name in ["limit", "starting_after", "created[gte]", "created[lt]", "created_gte"] {
                    for value in Self.headerValues {
                        let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
                        await send(base, .GET, path + "?\(name)=\(encoded)", [], headers: [:])
                    }
                }
            }
            // Provider signature headers with extreme times and indexes, on every webhook route.
            let webhookHeaders: [(ProviderName, String, (String) -> String)] = [
                (.stripe, "Stripe-Signature", { "t=\($0),v1=\(String(repeating: "0", count: 64))" }),
                (.standard, "webhook-timestamp", { $0 }),
                (.phonepe, "X-VERIFY", { "\(String(repeating: "0", count: 64))###\($0)" }),
                (.paypal, "PAYPAL-TRANSMISSION-TIME", { $0 }), (.razorpay, "X-Razorpay-Signature", { $0 }),
                (.paystack, "x-paystack-signature", { $0 }), (.flutterwave, "verif-hash", { $0 }),
            ]
            let webhookBody = JSONValue.object([
                "id": "evt_x", "type": "payment_intent.succeeded", "created": .int(.max), "amount": .int(.min),
                "data": ["object": ["amount": .number("1e309"), "amount_received": .int(.max)]],
            ]).serialized()
            for (provider, header, make) in webhookHeaders {
                for value in Self.headerValues {
                    var headers: HTTPHeaders = [header: make(value), "Authorization": "x"]
                    if provider == .standard {
                        headers.add("webhook-id", "msg_1"); headers.add("webhook-signature", "v1,AAAA")
                    }
                    await send(
                        ingress.baseURL, .POST, "/webhooks/\(provider.rawValue)/\(tenant.id)", webhookBody,
                        headers: headers)
                }
            }
            for process in [harness.payments, harness.payouts, ingress] {
                XCTAssertNil(process.pollExit(), "\(process.name) is still running")
                let live = try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + "/health/live"))
                XCTAssertEqual(live.status.code, 200, process.name)
            }
        } catch {
            await harness.stop()
            throw error
        }
        XCTAssertTrue(problems.isEmpty, problems.prefix(20).joined(separator: "\n"))
        await harness.stop()
    }
}
