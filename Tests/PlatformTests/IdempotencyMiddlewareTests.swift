import Foundation
import HTTP
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// `Idempotency-Key` through a router in process (no sockets) on a real store: replays, reuse with
/// another request, a key in flight, refusals that free the key, failures that release it — and the
/// domain errors a route throws, mapped to their statuses by the one conversion.
final class IdempotencyMiddlewareTests: XCTestCase {
    static let tenant = "ten_01JT0000000000000000000003"

    final class Calls: Sendable {
        let count = Mutex(0)
        let gate = Mutex<Bool>(false)
    }

    struct Stack: Sendable {
        let responder: RouterResponder
        let calls: Calls
        let pool: PostgresPool
    }

    func makeStack() async throws -> Stack {
        let database = try await TestDatabase.create()
        let owner = database.pool(.owner)
        _ = try await Migrator(
            pool: owner, schema: "svc", migrations: [IdempotencySchema.migration(version: 1, schema: "svc")],
            logger: TestEnvironment.logger()
        ).migrate(grantTo: [database.appRole, "coffer_platform"])
        await owner.shutdown()
        let pool = database.pool(.app, poolSize: 8)
        let store = IdempotencyStore(database: pool, schema: "svc", retention: .seconds(3600), lease: .seconds(30))
        let calls = Calls()
        let router = Router()
        let group = router.group(
            "/v1", middleware: [IdempotencyMiddleware(store: store) { _ in ("tenant:" + Self.tenant, Self.tenant) }])
        group.post("/payouts") { request, _ in
            let number = calls.count.withLock { count in
                count += 1; return count
            }
            let body = try JSONValue.parse(request.body)
            switch body["outcome"]?.stringValue {
            case "refuse":
                throw DomainError.invalid("The amount is too small.", code: "amount_too_small", param: "amount")
            case "fail": throw DomainError.internalFailure("the database went away")
            case "slow":
                while !calls.gate.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            default: break
            }
            return .json(
                .created,
                bytes: JSONValue.object(["id": .string("po_\(number)"), "call": .int(Int64(number))]).serialized())
        }
        group.get("/payouts") { _, _ in .json(.ok, bytes: Array(#"{"listed":true}"#.utf8)) }
        let responder = RouterResponder(
            router: router, logger: Logger(service: "test", minimumLevel: .critical), metrics: MetricsRegistry())
        return Stack(responder: responder, calls: calls, pool: pool)
    }

    static func post(_ stack: Stack, _ target: String = "/v1/payouts", key: String?, body: String) async -> HTTPResponse
    {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let key { headers.add("Idempotency-Key", key) }
        return await stack.responder.respond(
            to: HTTPRequest(method: .POST, target: target, headers: headers, body: Array(body.utf8)))
    }

    func code(_ response: HTTPResponse) -> String? {
        (try? JSONValue.parse(response.body))?.value(at: "error.code")?.stringValue
    }

    func testReplayReuseAndWhatCountsAsTheSameRequest() async throws {
        let stack = try await makeStack()
        defer { Task { await stack.pool.shutdown() } }
        let first = await Self.post(stack, key: "k1", body: #"{"amount": 100, "currency": "INR"}"#)
        XCTAssertEqual(first.status.code, 201)
        // The same request with other whitespace and key order is the same request: replayed, not run.
        let again = await Self.post(stack, key: "k1", body: #"{"currency":"INR","amount":100}"#)
        XCTAssertEqual(again.status.code, 201)
        XCTAssertEqual(again.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(again.body, first.body)
        XCTAssertEqual(stack.calls.count.withLock { $0 }, 1)
        let otherBody = await Self.post(stack, key: "k1", body: #"{"amount": 101, "currency": "INR"}"#)
        XCTAssertEqual(otherBody.status.code, 422)
        XCTAssertEqual(code(otherBody), "idempotency_key_reused")
        let otherQuery = await Self.post(
            stack, "/v1/payouts?dry_run=true", key: "k1", body: #"{"amount": 100, "currency": "INR"}"#)
        XCTAssertEqual(code(otherQuery), "idempotency_key_reused", "the query string is part of the request")
        XCTAssertEqual(stack.calls.count.withLock { $0 }, 1)
        // Without a key, and on a GET, the middleware is not involved.
        let unkeyed = await Self.post(stack, key: nil, body: "{}")
        XCTAssertEqual(unkeyed.status.code, 201)
        for bad in ["", String(repeating: "k", count: 256), "bad\u{1}key"] {
            let refused = await Self.post(stack, key: bad, body: "{}")
            XCTAssertEqual(code(refused), "invalid_idempotency_key", "key \(bad.debugDescription)")
        }
    }

    func testAKeyInFlightIsRefusedUntilTheFirstAnswers() async throws {
        let stack = try await makeStack()
        defer { Task { await stack.pool.shutdown() } }
        async let slow = Self.post(stack, key: "k2", body: #"{"outcome": "slow"}"#)
        let started = await eventually { stack.calls.count.withLock { $0 } == 1 }
        XCTAssertTrue(started)
        let concurrent = await Self.post(stack, key: "k2", body: #"{"outcome": "slow"}"#)
        XCTAssertEqual(concurrent.status.code, 409)
        XCTAssertEqual(code(concurrent), "idempotency_key_in_use")
        stack.calls.gate.withLock { $0 = true }
        let first = await slow
        XCTAssertEqual(first.status.code, 201)
        let replay = await Self.post(stack, key: "k2", body: #"{"outcome": "slow"}"#)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(stack.calls.count.withLock { $0 }, 1)
    }

    func testARefusalOrAFailureThatTookNoEffectFreesTheKeyAndDomainErrorsMapToTheirStatuses() async throws {
        let stack = try await makeStack()
        defer { Task { await stack.pool.shutdown() } }
        let refused = await Self.post(stack, key: "k3", body: #"{"outcome": "refuse"}"#)
        XCTAssertEqual(refused.status.code, 400)
        XCTAssertEqual(code(refused), "amount_too_small")
        XCTAssertEqual((try? JSONValue.parse(refused.body))?.value(at: "error.param")?.stringValue, "amount")
        let fixed = await Self.post(stack, key: "k3", body: #"{"outcome": "ok"}"#)
        XCTAssertEqual(fixed.status.code, 201, "the corrected request may reuse the key")

        let failed = await Self.post(stack, key: "k4", body: #"{"outcome": "fail"}"#)
        XCTAssertEqual(failed.status.code, 500)
        XCTAssertEqual(code(failed), "internal_error")
        XCTAssertFalse(
            String(decoding: failed.body, as: UTF8.self).contains("database went away"),
            "no internal detail in the answer")
        let retried = await Self.post(stack, key: "k4", body: #"{"outcome": "ok"}"#)
        XCTAssertEqual(retried.status.code, 201, "a failure that took no effect releases the key")
    }
}
