import XCTest

@testable import Shared

final class InternalRequestSignerTests: XCTestCase {
    static func secrets(_ pairs: [String: String]) -> InternalSecrets {
        InternalSecrets(current: pairs.mapValues { Array($0.utf8) })
    }

    let payments = InternalRequestSigner(
        service: "payments", secrets: secrets(["payments>payouts": "payments-to-payouts-secret"]))
    let payouts = InternalRequestSigner(
        service: "payouts",
        secrets: secrets([
            "payments>payouts": "payments-to-payouts-secret",
            "ingress>payouts": "ingress-to-payouts-secret",
        ]))

    func testSignatureMatchesTheDocumentedFormula() throws {
        let body = Array(#"[{"id":"evt_1"}]"#.utf8)
        let header = try XCTUnwrap(
            payments.signature(
                to: "payouts", method: "POST", target: "/internal/events", body: body,
                timestamp: 1_700_000_000))
        let expected = Hex.encode(
            HMAC.sha256(
                key: "payments-to-payouts-secret",
                message: "1700000000.payments.POST /internal/events." + #"[{"id":"evt_1"}]"#))
        XCTAssertEqual(header, "t=1700000000,s=payments,v1=\(expected)")
        XCTAssertEqual(
            payouts.verify(header: header, method: "POST", target: "/internal/events", body: body, now: 1_700_000_100),
            .success("payments"))
        XCTAssertNil(
            payments.signature(to: "ingress", method: "POST", target: "/", body: [], timestamp: 1),
            "no secret for that pair")
    }

    func testEveryAlterationIsRefused() throws {
        let body = Array("{}".utf8)
        let header = try XCTUnwrap(
            payments.signature(
                to: "payouts", method: "POST", target: "/internal/events?x=1", body: body, timestamp: 1_000))
        XCTAssertEqual(
            payouts.verify(header: header, method: "PUT", target: "/internal/events?x=1", body: body, now: 1_000),
            .failure(.mismatch))
        XCTAssertEqual(
            payouts.verify(header: header, method: "POST", target: "/internal/events?x=2", body: body, now: 1_000),
            .failure(.mismatch))
        XCTAssertEqual(
            payouts.verify(
                header: header, method: "POST", target: "/internal/events?x=1", body: Array("{ }".utf8), now: 1_000),
            .failure(.mismatch))
        // The sender named in the header is covered by the MAC: relabelling the call as ingress's fails.
        let relabelled = header.replacingOccurrences(of: "s=payments", with: "s=ingress")
        XCTAssertEqual(
            payouts.verify(header: relabelled, method: "POST", target: "/internal/events?x=1", body: body, now: 1_000),
            .failure(.mismatch))
    }

    /// Ingress holds ingress>payouts; nothing it can compute passes as payments' call to payouts.
    func testOnePairsSecretNeverSpeaksForAnotherPair() throws {
        let ingress = InternalRequestSigner(
            service: "ingress", secrets: Self.secrets(["ingress>payouts": "ingress-to-payouts-secret"]))
        let body = Array("[]".utf8)
        let own = try XCTUnwrap(
            ingress.signature(to: "payouts", method: "POST", target: "/internal/events", body: body, timestamp: 5))
        XCTAssertEqual(
            payouts.verify(header: own, method: "POST", target: "/internal/events", body: body, now: 5),
            .success("ingress"))
        let forged = own.replacingOccurrences(of: "s=ingress", with: "s=payments")
        XCTAssertEqual(
            payouts.verify(header: forged, method: "POST", target: "/internal/events", body: body, now: 5),
            .failure(.mismatch))
        // A sender payouts holds no pair for is refused before the body is looked at.
        let stranger = InternalRequestSigner(
            service: "sandbox", secrets: Self.secrets(["sandbox>payouts": "sandbox-to-payouts-secret"]))
        let strangers = try XCTUnwrap(
            stranger.signature(to: "payouts", method: "POST", target: "/internal/events", body: body, timestamp: 5))
        guard case .failure(.unknownSender) = payouts.checkHead(strangers, now: 5) else {
            return XCTFail("unknown sender accepted")
        }
    }

    func testStaleMissingAndMalformedHeaders() throws {
        let header = try XCTUnwrap(
            payments.signature(
                to: "payouts", method: "GET", target: "/internal/snapshot/payees", body: [], timestamp: 1_000))
        XCTAssertEqual(
            payouts.verify(header: header, method: "GET", target: "/internal/snapshot/payees", body: [], now: 1_301),
            .failure(.stale))
        XCTAssertEqual(
            payouts.verify(header: header, method: "GET", target: "/internal/snapshot/payees", body: [], now: 699),
            .failure(.stale))
        XCTAssertEqual(payouts.verify(header: nil, method: "GET", target: "/", body: [], now: 0), .failure(.missing))
        let mac = String(repeating: "0", count: 64)
        for bad in [
            "t=1", "v1=00", "garbage", "t=x,s=payments,v1=\(mac)", "t=1,s=payments,v1=zz", "t=1,v1=\(mac)",
            "t=1,s=payments,v1=\(mac),extra=1", "t=1,t=2,s=payments,v1=\(mac)", "t=1,s=PAYMENTS,v1=\(mac)",
            "t=+1,s=payments,v1=\(mac)",
            "t=-1,s=payments,v1=\(mac)", "t=99999999999999999999,s=payments,v1=\(mac)", ",,,",
            "t=1,s=payments,v1=\(mac),",
        ] {
            XCTAssertNotEqual(
                payouts.verify(header: bad, method: "GET", target: "/", body: [], now: 1), .success("payments"), bad)
        }
    }

    /// The review's crash: `t=-9223372036854775808` made `abs(now - t)` trap before the MAC was checked.
    func testExtremeTimestampsAreRefusedWithoutTrapping() {
        let mac = String(repeating: "a", count: 64)
        for timestamp in [
            "-9223372036854775808", "9223372036854775807", "9223372036854775808", "0", "18446744073709551615",
        ] {
            let header = "t=\(timestamp),s=payments,v1=\(mac)"
            for now: Int64 in [.min, -1, 0, 1_700_000_000, .max] {
                XCTAssertNotEqual(
                    payouts.verify(header: header, method: "POST", target: "/", body: [], now: now),
                    .success("payments"))
            }
        }
        XCTAssertFalse(TimestampWindow.contains(.min, now: .max, tolerance: 300))
        XCTAssertFalse(TimestampWindow.contains(.max, now: .min, tolerance: .max))
        XCTAssertFalse(TimestampWindow.contains(.min, now: 0, tolerance: .max))
        XCTAssertTrue(TimestampWindow.contains(100, now: 400, tolerance: 300))
        XCTAssertFalse(TimestampWindow.contains(100, now: 401, tolerance: 300))
        XCTAssertTrue(TimestampWindow.contains(700, now: 400, tolerance: 300))
    }

    func testPreviousSecretIsAcceptedDuringRotation() throws {
        let old = InternalRequestSigner(
            service: "payments", secrets: Self.secrets(["payments>payouts": "old-pair-secret-000"]))
        let rotated = InternalRequestSigner(
            service: "payouts",
            secrets: InternalSecrets(
                current: ["payments>payouts": Array("new-pair-secret-000".utf8)],
                previous: ["payments>payouts": Array("old-pair-secret-000".utf8)]))
        let header = try XCTUnwrap(
            old.signature(to: "payouts", method: "POST", target: "/internal/events", body: [1], timestamp: 50))
        XCTAssertEqual(
            rotated.verify(header: header, method: "POST", target: "/internal/events", body: [1], now: 50),
            .success("payments"))
        let without = InternalRequestSigner(
            service: "payouts", secrets: Self.secrets(["payments>payouts": "new-pair-secret-000"]))
        XCTAssertEqual(
            without.verify(header: header, method: "POST", target: "/internal/events", body: [1], now: 50),
            .failure(.mismatch))
    }

    func testSecretsKeepOnlyTheServicesOwnPairs() throws {
        let entries = [
            "payments>payouts:0123456789abcdef", "ingress>payouts:fedcba9876543210",
            "payments>ingress:aaaaaaaaaaaaaaaa",
        ]
        let parsed = try InternalSecrets.parse(entries, service: "payouts")
        XCTAssertEqual(Set(parsed.pairs.keys), ["payments>payouts", "ingress>payouts"])
        XCTAssertEqual(parsed.foreign, ["payments>ingress"])
        XCTAssertThrowsError(try InternalSecrets.parse(["payments>payouts:short"], service: "payouts"))
        XCTAssertThrowsError(try InternalSecrets.parse(["payouts:0123456789abcdef"], service: "payouts"))
        XCTAssertThrowsError(try InternalSecrets.parse(["payouts>payouts:0123456789abcdef"], service: "payouts"))
        XCTAssertEqual(InternalSecrets.mesh(["a", "b", "c"]) { "s-" + $0 }.count, 6)
    }
}
