import Contracts
import Foundation
import HTTP
import Postgres
import Shared
import TestSupport
import XCTest

/// Issue 9: each attack the review found, performed against the real processes.
final class SecurityRegressionTests: XCTestCase {
    static let binaries = [
        "coffer-ingress", "coffer-payments", "coffer-payouts", "coffer-notifications", "coffer-monitoring",
    ]

    /// Item 2: `t=-9223372036854775808` made `abs(now - t)` trap before the MAC was checked (it killed
    /// notifications). Every service answers it with 401 on its internal listener, serves no
    /// `/internal/*` on its public one, and is still up.
    func testTheCrashingSignatureIsRefusedByEveryServiceWhichStaysUp() async throws {
        let database = try await TestDatabase.create()
        let client = LoopHTTPClient()
        var processes: [ServiceProcess] = []
        for binary in Self.binaries {
            let process = try ServiceProcess(
                binary: binary, environment: TestStackEnvironment.variables(database: database))
            try await process.waitUntilReady()
            processes.append(process)
        }
        let mac = String(repeating: "ab", count: 32)
        let headers = [
            "t=-9223372036854775808,v1=\(mac)", "t=-9223372036854775808,s=payments,v1=\(mac)",
            "t=9223372036854775807,s=payments,v1=\(mac)", "t=99999999999999999999999,s=payments,v1=\(mac)",
            "t=0,s=payments,v1=\(mac)", "t=,s=,v1=",
        ]
        // Every service that takes events (monitoring takes none yet: there the route does not exist).
        for process in processes where process.name != "coffer-monitoring" {
            for header in headers {
                let refused = try await client.send(
                    HTTPClientRequest(
                        method: .POST, url: process.internalURL + "/internal/events",
                        headers: [InternalRequestSigner.headerName: header],
                        body: Array("[]".utf8)))
                XCTAssertEqual(refused.status.code, 401, "\(process.name) \(header): \(refused.bodyText)")
            }
        }
        for process in processes {
            let publicSide = try await client.send(
                HTTPClientRequest(
                    method: .POST, url: process.baseURL + "/internal/events",
                    headers: [InternalRequestSigner.headerName: headers[0]],
                    body: Array("[]".utf8)))
            XCTAssertEqual(publicSide.status.code, 404, "\(process.name): /internal/* is not on the public listener")
            for path in ["/admin/tenants", "/metrics"] {
                let hidden = try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + path))
                XCTAssertEqual(hidden.status.code, 404, "\(process.name) \(path) on the public listener")
            }
        }
        // The webhook timestamp check had the same arithmetic.
        let ingress = processes[0]
        for stamp in ["-9223372036854775808", "9223372036854775807"] {
            let webhook = try await client.send(
                HTTPClientRequest(
                    method: .POST, url: ingress.baseURL + "/webhooks/stripe/\(CofferID.generate(.tenant))",
                    headers: ["Stripe-Signature": "t=\(stamp),v1=\(mac)", "Content-Type": "application/json"],
                    body: Array("{}".utf8)))
            XCTAssertLessThan(webhook.status.code, 500, webhook.bodyText)
        }
        for process in processes {
            XCTAssertNil(process.pollExit(), "\(process.name) is still running")
            let ready = try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + "/health/ready"))
            XCTAssertEqual(ready.status.code, 200, process.name)
            await process.stop()
        }
        try await database.drop()
    }

    /// Item 9: ingress faces the internet; nothing it holds makes payouts credit a payee.
    func testNothingIngressHoldsMakesPayoutsAcceptAPaymentsEvent() async throws {
        let harness = try await PayoutsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let payee = try await harness.createPayee(tenant)
            let credit = try harness.balanceEvent(
                MoneyEventType.payeeCredited, tenant, payee: payee, amount: 1_000_000, reason: "payment_captured")
            let body = EventEnvelope.encodeBatch([credit])
            // Every secret ingress is given (its own pairs), used to sign as payments and as itself.
            let ingressSecrets = TestStackEnvironment.secrets(for: "ingress").current
            XCTAssertFalse(ingressSecrets.keys.contains("payments>payouts"))
            let timestamp = Int64(Date().timeIntervalSince1970)
            for (pair, key) in ingressSecrets {
                for sender in ["payments", "ingress"] {
                    var context = HMACContext(digest: .sha256, key: key)
                    context.update("\(timestamp).\(sender).POST /internal/events.")
                    context.update(body)
                    let header = "t=\(timestamp),s=\(sender),v1=\(Hex.encode(context.finalize()))"
                    var request = HTTPClientRequest(
                        method: .POST, url: harness.payouts.internalURL + "/internal/events", body: body)
                    request.headers.add(InternalRequestSigner.headerName, header)
                    let answer = try await harness.client.send(request)
                    if pair == "ingress>payouts", sender == "ingress" {
                        // A genuine ingress call: accepted as ingress's, and ingress may not send this type.
                        XCTAssertEqual(answer.status.code, 422, answer.bodyText)
                        XCTAssertTrue(answer.bodyText.contains("event_not_allowed"), answer.bodyText)
                    } else {
                        XCTAssertEqual(answer.status.code, 401, "\(pair) as \(sender): \(answer.bodyText)")
                    }
                }
            }
            await XCTAssertEqualAsync(try await harness.balance(payee, tenant).available, 0)
            // Payments' own pair is what it takes.
            await XCTAssertEqualAsync(try await harness.postEvents([credit]).status.code, 200)
            await XCTAssertEqualAsync(try await harness.balance(payee, tenant).available, 1_000_000)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Item 7: credentials are checked on the head, before any body is read, and repeated failures from
    /// one address are refused before they cost a lookup.
    func testCredentialsAreCheckedBeforeTheBodyAndFailuresLockAnAddressOut() async throws {
        let harness = try await PaymentsHarness.start(extraEnvironment: [
            "AUTH_FAILURES_PER_MINUTE": "60", "AUTH_FAILURES_BURST": "4",
        ])
        do {
            let tenant = try await harness.createTenant()
            for (port, path, auth) in [
                (
                    harness.process.port, "/v1/payments",
                    "Authorization: Bearer ck_test_\(String(repeating: "A", count: 32))"
                ),
                (
                    harness.process.internalPort, "/internal/events",
                    "X-Coffer-Signature: t=1,s=ingress,v1=\(String(repeating: "0", count: 64))"
                ),
                (harness.process.internalPort, "/admin/tenants", "Authorization: Bearer not-an-operator-token-00000"),
            ] {
                let socket = try RawSocket(port: port)
                // 50 MB announced, no byte sent: the refusal comes anyway, before the body.
                try socket.send(
                    "POST \(path) HTTP/1.1\r\nHost: x\r\n\(auth)\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n"
                )
                let answer = try XCTUnwrap(try socket.readResponses(1).first, path)
                XCTAssertTrue([401, 429].contains(answer.status), "\(path): \(answer.status) \(answer.text)")
                XCTAssertTrue(socket.waitForClose(), path)
            }
            // Two API-key failures and one admin-token failure so far: two more, then the address is locked out.
            for _ in 0..<2 {
                _ = try await harness.call(.GET, "/v1/payments", bearer: "ck_test_" + String(repeating: "B", count: 32))
            }
            let locked = try await harness.call(.GET, "/v1/payments", bearer: tenant.key)
            XCTAssertEqual(locked.status, 429, "even a good key from a locked-out address waits: \(locked.text)")
            XCTAssertEqual(locked.errorCode, "too_many_failed_attempts")
            XCTAssertNotNil(locked.headers["Retry-After"])
            let metrics = try await harness.call(.GET, "/metrics", bearer: nil)
            XCTAssertTrue(
                metrics.text.contains("coffer_auth_lockouts_total{kind=\"api_key\"}"),
                metrics.text.prefix(200).description)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Item 4: a connector cannot aim Coffer's calls at an attacker's host or the metadata service.
    func testConnectorsCannotPointAtAttackerHostsOrMetadata() async throws {
        let harness = try await PaymentsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let live = try await harness.createKey(tenantID: tenant.id, role: "full", livemode: true)
            for url in [
                "https://api.stripe.com.attacker.tld/", "https://api.stripe.com@attacker.tld/",
                "https://attacker.tld/api.stripe.com",
                "http://api.stripe.com", "https://api.stripe.com:8443",
            ] {
                let refused = try await harness.call(
                    .PUT, "/v1/connectors/stripe", bearer: live.secret,
                    json: [
                        "credentials": ["secret_key": "sk_live_ssrf_0000"], "webhook_secret": "whsec_ssrf",
                        "api_base_url": .string(url),
                    ])
                XCTAssertEqual(refused.status, 400, "\(url): \(refused.text)")
            }
            // Test connectors may use the sandbox (development and tests), never metadata or link-local addresses.
            for url in [
                "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://metadata.google.internal/",
                "http://[fd00:ec2::254]/",
            ] {
                let refused = try await harness.call(
                    .PUT, "/v1/connectors/stripe", bearer: tenant.key,
                    json: [
                        "credentials": ["secret_key": "sk_test_ssrf_0000"], "webhook_secret": "whsec_ssrf",
                        "api_base_url": .string(url),
                    ])
                XCTAssertEqual(refused.errorCode, "api_base_url_not_allowed", "\(url): \(refused.text)")
            }
            let sandbox = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: tenant.key,
                json: [
                    "credentials": ["secret_key": "sk_test_local_0000"], "webhook_secret": "whsec_local",
                    "api_base_url": "http://127.0.0.1:9/stripe",
                ])
            XCTAssertEqual(sandbox.status, 200, sandbox.text)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Item 3: one payment whose processing cannot succeed (here: settings an earlier version stored that no
    /// longer read) is parked with its reason; the process stays up and every other payment goes on.
    func testAPoisonPaymentIsParkedAndTheServiceGoesOn() async throws {
        let harness = try await PaymentsHarness.start(
            sandbox: true, extraEnvironment: ["RESOLVER_INTERVAL": "300ms", "RESOLVER_QUIET_PERIOD": "0s"])
        do {
            let poisoned = try await harness.createTenant(name: "Poisoned")
            let healthy = try await harness.createTenant(name: "Healthy")
            try await harness.connectStripe(poisoned)
            try await harness.connectStripe(healthy)
            // The review's settings, written as a version without bounds would have stored them.
            try await harness.withSuperuserPool { pool in
                try await pool.execute(
                    """
                    UPDATE payments.tenants SET settings = jsonb_set(settings, '{fees,provider_fee_fixed}', '{"USD": 9223372036854775807}')
                    WHERE id = \(poisoned.id)
                    """)
            }
            let payment = try await harness.call(
                .POST, "/v1/payments", bearer: poisoned.key, json: ["amount": 1_000, "currency": "USD"])
            XCTAssertGreaterThanOrEqual(payment.status, 400, payment.text)
            let listed = try await harness.call(.GET, "/v1/payments", bearer: poisoned.key)
            let paymentID = try XCTUnwrap(listed["data"]?[0]?["id"]?.stringValue)
            let parked = await eventually(timeout: .seconds(30)) {
                (try? await harness.admin(.GET, "/admin/parked"))?["data"]?.arrayValue?.contains {
                    $0["id"]?.stringValue == paymentID
                } == true
            }
            XCTAssertTrue(parked, "the poison payment is parked")
            let item = try await harness.admin(.GET, "/admin/parked")["data"]?.arrayValue?.first {
                $0["id"]?.stringValue == paymentID
            }
            XCTAssertTrue(
                item?["reason"]?.stringValue?.contains("provider_fee_fixed") ?? false, "\(String(describing: item))")
            XCTAssertNil(harness.process.pollExit(), "payments is still running")
            let other = try await harness.call(
                .POST, "/v1/payments", bearer: healthy.key, json: ["amount": 1_000, "currency": "USD"])
            XCTAssertEqual(other["status"]?.stringValue, "captured", other.text)
            // The operator fixes the settings and sends it back: the provider's idempotency key makes it one charge.
            try await harness.withSuperuserPool { pool in
                try await pool.execute(
                    """
                    UPDATE payments.tenants SET settings = jsonb_set(settings, '{fees,provider_fee_fixed}', '{"USD": 30}') WHERE id = \(poisoned.id)
                    """)
            }
            let retried = try await harness.admin(.POST, "/admin/parked/\(paymentID)/retry")
            XCTAssertEqual(retried.status, 200, retried.text)
            let captured = await eventually(timeout: .seconds(30)) {
                (try? await harness.payment(paymentID, poisoned))?["status"]?.stringValue == "captured"
            }
            XCTAssertTrue(captured)
            // The create was repeated under the same provider idempotency key: the provider executed it once.
            let charges = try await harness.operations("kind=create_payment&coffer_id=\(paymentID)")
            XCTAssertEqual(charges.count, 1, "one charge at the provider: \(charges)")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
