import Foundation
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// Recording audit rows, and the database keeping them append-only, on real PostgreSQL.
final class AuditLogTests: XCTestCase {
    func testRowIsRecordedOnlyWhenTheCallersTransactionCommits() async throws {
        let harness = try await AuditTestHarness.make()
        struct Abort: Error {}
        do {
            try await harness.app.transaction { connection in
                try await connection.execute("CREATE TEMP TABLE change_made (x int)")
                try await harness.log.record(
                    AuditEntry(
                        tenantID: "ten_1", actor: "key_1", action: "payment.created",
                        objectType: "payment", objectID: "pay_lost"), on: connection)
                throw Abort()
            }
            XCTFail("the transaction should have rolled back")
        } catch is Abort {}
        try await harness.app.transaction { connection in
            try await harness.log.record(
                AuditEntry(
                    tenantID: "ten_1", actor: AuditActor.operator("alice"), action: "settings.updated",
                    objectType: "settings", objectID: "ten_1", before: ["refunds": false],
                    after: ["refunds": true], correlationID: "corr-kept"), on: connection)
        }
        let rows = try await harness.app.query(
            """
            SELECT object_id, actor, action, before::text, after::text, correlation_id, chain_seq, hash, tenant_key FROM svc.audit_log
            """)
        XCTAssertEqual(rows.count, 1)
        let (objectID, actor, action, before, after, correlation, seq, hash, key) =
            try rows[0].decode((String, String, String, String?, String?, String?, Int64?, String?, String).self)
        XCTAssertEqual(objectID, "ten_1")
        XCTAssertEqual(actor, "operator:alice")
        XCTAssertEqual(action, "settings.updated")
        XCTAssertEqual(before, #"{"refunds": false}"#)
        XCTAssertEqual(after, #"{"refunds": true}"#)
        XCTAssertEqual(correlation, "corr-kept")
        XCTAssertNil(seq, "recording does no chain work")
        XCTAssertNil(hash)
        XCTAssertEqual(key, "ten_1")
        try await harness.close()
    }

    func testBatchRecordKeepsOrderAndPlatformRowsShareOneChainKey() async throws {
        let harness = try await AuditTestHarness.make()
        let entries = (1...5).map { AuditTestHarness.entry(nil, $0, action: "tenant.created") }
        try await harness.app.transaction { connection in try await harness.log.record(entries, on: connection) }
        let rows = try await harness.app.query("SELECT object_id, tenant_id, tenant_key FROM svc.audit_log ORDER BY id")
        XCTAssertEqual(try rows.map { try $0.decode(String.self, at: 0) }, entries.map(\.objectID))
        for row in rows {
            XCTAssertNil(try row.decode(String?.self, at: 1))
            XCTAssertEqual(try row.decode(String.self, at: 2), AuditChain.platformKey)
        }
        try await harness.close()
    }

    func testSecretsUnderSensitiveKeysAreMaskedEvenWhenTheCallerForgot() async throws {
        let harness = try await AuditTestHarness.make()
        let after: JSONValue = [
            "name": "Stripe live", "webhook_secret": "whsec_live_123", "credentials": ["secret_key": "sk_live_def"],
            "settings": ["api_key": "sk_live_abc", "mode": "live"],
            "cleared_password": .null, "items": [["card_number": "4242424242424242", "label": "nul\u{0}byte"]],
        ]
        try await harness.app.transaction { connection in
            try await harness.log.record(
                AuditEntry(
                    tenantID: "ten_1", actor: "key_1", action: "connector.upserted",
                    objectType: "connector", objectID: "con_1", after: after), on: connection)
        }
        let stored =
            try await harness.app.query("SELECT after::text FROM svc.audit_log").first?.decode(String.self, at: 0) ?? ""
        let json = try JSONValue.parse(stored)
        XCTAssertEqual(json["name"], "Stripe live")
        XCTAssertEqual(json["webhook_secret"], .string(LogRedaction.placeholder))
        XCTAssertEqual(json["settings"]?["api_key"], .string(LogRedaction.placeholder))
        XCTAssertEqual(json["settings"]?["mode"], "live")
        XCTAssertEqual(json["cleared_password"], .null, "an absent secret stays visibly absent")
        XCTAssertEqual(
            json["credentials"], .string(LogRedaction.placeholder), "a whole object under a sensitive key goes")
        XCTAssertEqual(json["items"]?[0]?["card_number"], .string(LogRedaction.placeholder))
        XCTAssertEqual(
            json["items"]?[0]?["label"], "nul\u{FFFD}byte", "jsonb refuses U+0000; it is replaced, not a failed write")
        for secret in ["whsec_live_123", "sk_live_abc", "sk_live_def", "4242424242424242"] {
            XCTAssertFalse(stored.contains(secret), "\(secret) was stored")
        }
        try await harness.close()
    }

    func testEntriesWithoutAnActorOrWithTheReservedTenantKeyAreRefused() async throws {
        let harness = try await AuditTestHarness.make()
        for entry in [
            AuditEntry(
                tenantID: "ten_1", actor: "", action: "payment.created", objectType: "payment", objectID: "pay_1"),
            AuditEntry(tenantID: "platform", actor: "system", action: "x.y", objectType: "x", objectID: "x_1"),
        ] {
            do {
                try await harness.app.transaction { connection in try await harness.log.record(entry, on: connection) }
                XCTFail("\(entry) should have been refused")
            } catch is AuditEntryError {}
        }
        let rowsKept = try await harness.count("SELECT count(*) FROM svc.audit_log")
        XCTAssertEqual(rowsKept, 0)
        try await harness.close()
    }

    func testTheApplicationRoleCannotEditDeleteOrTruncateHistory() async throws {
        let harness = try await AuditTestHarness.make()
        try await harness.record((1...3).map { AuditTestHarness.entry("ten_1", $0) })
        let violation = AuditSchema.appendOnlyViolation
        // Unsealed rows: content can never change, rows can never go.
        await assertPostgresError(violation) {
            try await harness.app.execute("UPDATE svc.audit_log SET after = '{}' WHERE id = 1")
        }
        await assertPostgresError(violation) {
            try await harness.app.execute("UPDATE svc.audit_log SET actor = 'someone' WHERE id = 1")
        }
        await assertPostgresError(violation) { try await harness.app.execute("DELETE FROM svc.audit_log WHERE id = 2") }
        await assertPostgresError(violation) { try await harness.app.execute("TRUNCATE svc.audit_log") }
        // Half a seal is refused; rows cannot be inserted pre-sealed.
        await assertPostgresError(violation) {
            try await harness.app.execute("UPDATE svc.audit_log SET hash = 'x' WHERE id = 1")
        }
        await assertPostgresError(violation) {
            try await harness.app.execute(
                """
                INSERT INTO svc.audit_log (tenant_id, actor, action, object_type, object_id, chain_seq, prev_hash, hash, sealed_at)
                VALUES ('ten_1', 'key_1', 'payment.created', 'payment', 'pay_9', 9, 'x', 'y', now())
                """)
        }
        // Sealing (the four columns, from NULL) is the one update allowed, and only once.
        try await harness.sealer().sealPending()
        let sealedRows = try await harness.count("SELECT count(*) FROM svc.audit_log WHERE chain_seq IS NOT NULL")
        XCTAssertEqual(sealedRows, 3)
        await assertPostgresError(violation) {
            try await harness.app.execute(
                "UPDATE svc.audit_log SET chain_seq = 7, prev_hash = 'a', hash = 'b' WHERE id = 1")
        }
        await assertPostgresError(violation) {
            try await harness.app.execute("UPDATE svc.audit_log SET after = '{}' WHERE id = 3")
        }
        await assertPostgresError(violation) { try await harness.app.execute("DELETE FROM svc.audit_log") }
        // Heads only move forward and are never removed.
        await assertPostgresError(violation) {
            try await harness.app.execute("UPDATE svc.audit_chain_heads SET chain_seq = 1, hash = 'x'")
        }
        await assertPostgresError(violation) { try await harness.app.execute("DELETE FROM svc.audit_chain_heads") }
        // And the owner cannot disable the trigger from the app role's connection.
        await assertPostgresError("42501") {
            try await harness.app.execute("ALTER TABLE svc.audit_log DISABLE TRIGGER audit_log_append_only")
        }
        let report = try await harness.verifier().verify()
        XCTAssertTrue(report.ok, "\(report.problems)")
        XCTAssertEqual(report.rowsChecked, 3)
        try await harness.close()
    }

    func testCanonicalTextAndHashMatchTheDocumentedDefinition() {
        // Computed independently (Python: json.dumps(fields, separators=(",", ":"), sort_keys=True,
        // ensure_ascii=False), then SHA-256), so a change to the canonical form cannot go unnoticed.
        let content = AuditRowContent(
            id: 1, tenantID: "ten_1", actor: "key_1", action: "payment.created", objectType: "payment",
            objectID: "pay_1",
            before: nil, after: ["currency": "INR", "amount": .int(1050), "note": "a\"b\n\u{E9}"],
            correlationID: "corr-1",
            occurredAt: "2026-11-21T16:48:00.123456Z")
        let text = String(
            decoding: AuditChain.canonicalText(content, chainSeq: 1, prevHash: AuditChain.genesisHash), as: UTF8.self)
        XCTAssertEqual(
            text,
            #"["coffer.audit.v1",1,"ten_1",1,"key_1","payment.created","payment","pay_1",null,"#
                + #"{"amount":1050,"currency":"INR","note":"a\"b\n\#u{E9}"},"corr-1","2026-11-21T16:48:00.123456Z","#
                + "\"" + String(repeating: "0", count: 64) + "\"]")
        XCTAssertEqual(
            AuditChain.hash(content, chainSeq: 1, prevHash: AuditChain.genesisHash),
            "21821473220cb503b0f4d365b6b48b593e5ca695ce70082aeaaa03a41b92f2c1")
    }
}
