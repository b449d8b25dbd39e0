import Postgres
import TestSupport
import XCTest

final class ListenNotifyTests: PostgresTestCase {
    func testDeliversNotificationsInOrder() async throws {
        let pool = makePool(.app)
        let received = Collected<PostgresNotification>()
        let listener = try await pool.listen(channel: "Payments.Captured") { received.append($0) }
        defer { listener.cancel() }
        let payloads = ["first", "it's \"quoted\"", "{\"id\":\"pay_1\"}"]
        for payload in payloads {
            try await pool.notify(channel: "Payments.Captured", payload: payload)
        }
        await eventually("three notifications") { received.all.count == 3 }
        XCTAssertEqual(received.all.map(\.payload), payloads)
        XCTAssertEqual(Set(received.all.map(\.channel)), ["Payments.Captured"])
        XCTAssertEqual(pool.statistics.open, 1, "the listener has its own connection, outside the pool")
    }

    func testNotifyInATransactionIsDeliveredOnCommitOnly() async throws {
        let pool = makePool()
        let received = Collected<String>()
        let listener = try await pool.listen(channel: "outbox") { received.append($0.payload) }
        defer { listener.cancel() }
        struct Abort: Error {}
        _ = try? await pool.transaction { connection in
            try await connection.execute("SELECT pg_notify('outbox', 'rolled back')")
            throw Abort()
        }
        try await pool.transaction { connection in
            try await connection.execute("SELECT pg_notify('outbox', 'committed')")
        }
        await eventually("the committed notification") { received.all == ["committed"] }
    }

    func testCancelStopsDelivery() async throws {
        let pool = makePool()
        let received = Collected<String>()
        let listener = try await pool.listen(channel: "c") { received.append($0.payload) }
        try await pool.notify(channel: "c", payload: "one")
        await eventually("the first notification") { received.all == ["one"] }
        listener.cancel()
        listener.cancel()
        XCTAssertTrue(listener.isCancelled)
        // The server drops the LISTEN with the session; wait for that, then notify again.
        let admin = makePool(.admin, poolSize: 1)
        await eventually("listener session closed") {
            (try? await scalar(
                admin,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'coffer-test:listen' AND datname = current_database()"
            ))
                == 0
        }
        try await pool.notify(channel: "c", payload: "two")
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(received.all, ["one"])
    }

    func testShutdownCancelsListeners() async throws {
        let pool = makePool()
        let listener = try await pool.listen(channel: "c") { _ in }
        await pool.shutdown()
        XCTAssertTrue(listener.isCancelled)
    }
}
