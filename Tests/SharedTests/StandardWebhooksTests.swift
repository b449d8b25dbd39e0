import Foundation
import Shared
import TestSupport
import XCTest

/// Standard Webhooks signing and verification: the spec's vector, tampering, rotation with two
/// signatures, malformed secrets and headers — and PyPI's official `standardwebhooks` library verifying
/// what Coffer signs and Coffer verifying what the library signs.
final class StandardWebhooksTests: XCTestCase {
    let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let vectorID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let vectorTimestamp: Int64 = 1_614_265_330
    let vectorBody = Array(#"{"test": 2432232314}"#.utf8)

    func testTheSpecsVectorSignsAndVerifiesAndTamperingFails() throws {
        let key = try XCTUnwrap(StandardWebhooks.key(fromSecret: vectorSecret))
        let header = StandardWebhooks.signatureHeader(
            id: vectorID, timestamp: vectorTimestamp, body: vectorBody, keys: [key])
        XCTAssertEqual(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let good = StandardWebhooks.signatures(inHeader: header)
        XCTAssertTrue(
            StandardWebhooks.matches(good, id: vectorID, timestamp: vectorTimestamp, body: vectorBody, key: key))
        let off = StandardWebhooks.signatures(inHeader: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=")
        XCTAssertFalse(
            StandardWebhooks.matches(off, id: vectorID, timestamp: vectorTimestamp, body: vectorBody, key: key))
        XCTAssertFalse(
            StandardWebhooks.matches(good, id: vectorID, timestamp: vectorTimestamp + 1, body: vectorBody, key: key))
        XCTAssertFalse(
            StandardWebhooks.matches(good, id: vectorID + "x", timestamp: vectorTimestamp, body: vectorBody, key: key))
        XCTAssertFalse(
            StandardWebhooks.matches(
                good, id: vectorID, timestamp: vectorTimestamp, body: vectorBody + [0x20], key: key))
    }

    func testARotationHeaderVerifiesUnderEitherSecretAndMalformedPartsAreIgnored() throws {
        let old = try XCTUnwrap(StandardWebhooks.key(fromSecret: StandardWebhooks.makeSecret()))
        let new = try XCTUnwrap(StandardWebhooks.key(fromSecret: StandardWebhooks.makeSecret(byteCount: 24)))
        let other = try XCTUnwrap(StandardWebhooks.key(fromSecret: StandardWebhooks.makeSecret(byteCount: 64)))
        let header = StandardWebhooks.signatureHeader(id: "evt_1", timestamp: 1, body: [1, 2, 3], keys: [new, old])
        let signatures = StandardWebhooks.signatures(inHeader: "v2,AAAA junk " + header + " v1,%%%")
        XCTAssertEqual(signatures.count, 2, "only the well-formed v1 entries")
        for key in [new, old] {
            XCTAssertTrue(StandardWebhooks.matches(signatures, id: "evt_1", timestamp: 1, body: [1, 2, 3], key: key))
        }
        XCTAssertFalse(StandardWebhooks.matches(signatures, id: "evt_1", timestamp: 1, body: [1, 2, 3], key: other))
        for bad in ["", "whsec_", "whsec_%%%", "sk_abc", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            XCTAssertNil(StandardWebhooks.key(fromSecret: bad), bad)
        }
        XCTAssertEqual(
            Base64.decode(String(StandardWebhooks.makeSecret(byteCount: 1000).dropFirst(6)))?.count, 64,
            "at most 64 bytes")
        XCTAssertNotEqual(StandardWebhooks.makeSecret(), StandardWebhooks.makeSecret())
    }

    /// The official library, both ways, with a rotation header holding two signatures.
    func testThePyPILibraryAgreesBothWays() async throws {
        let venv = try TestEnvironment.require("COFFER_TEST_VENV")
        let (old, new) = (StandardWebhooks.makeSecret(), StandardWebhooks.makeSecret())
        let body =
            #"{"type":"payout.processed","timestamp":"2026-12-07T00:00:00Z","data":{"amount":1050,"note":"ü & \"q\""}}"#
        let timestamp = Int64(Date().timeIntervalSince1970)
        let header = StandardWebhooks.signatureHeader(
            id: "evt_cross", timestamp: timestamp, body: Array(body.utf8),
            keys: [
                try XCTUnwrap(StandardWebhooks.key(fromSecret: new)),
                try XCTUnwrap(StandardWebhooks.key(fromSecret: old)),
            ])
        let script = """
            import sys
            from standardwebhooks.webhooks import Webhook
            secret_new, secret_old, body, msg_id, ts, header = sys.argv[1:7]
            headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": header}
            for secret in (secret_new, secret_old):
                Webhook(secret).verify(body, headers)
            try:
                Webhook(secret_new).verify(body + " ", headers)
                sys.exit("a tampered body verified")
            except Exception:
                pass
            from datetime import datetime, timezone
            print(Webhook(secret_new).sign(msg_id, datetime.fromtimestamp(int(ts), tz=timezone.utc), body))
            """
        let output = try await TestProcess.run(
            [venv + "/bin/python", "-c", script, new, old, body, "evt_cross", String(timestamp), header])
        let librarySigned = output.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(
            StandardWebhooks.matches(
                StandardWebhooks.signatures(inHeader: librarySigned), id: "evt_cross", timestamp: timestamp,
                body: Array(body.utf8),
                key: try XCTUnwrap(StandardWebhooks.key(fromSecret: new))), "the library's signature: \(librarySigned)")
    }
}
