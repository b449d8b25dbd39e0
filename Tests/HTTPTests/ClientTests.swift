import Foundation
import Shared
import Synchronization
import TestSupport
import XCTest

@testable import HTTP

/// Coffer's own client against Coffer's server, over real sockets.
final class ClientTests: XCTestCase {
    func testKeepAliveReusesOneConnectionForSequentialCalls() async throws {
        let harness = try await ServerTestHarness()
        let client = LoopHTTPClient(maxConnectionsPerHost: 4)
        for index in 0..<20 {
            let response = try await client.send(
                HTTPClientRequest(method: .GET, url: "http://127.0.0.1:\(harness.port)/items/\(index)"))
            XCTAssertEqual(response.bodyText, "item \(index)")
        }
        XCTAssertLessThanOrEqual(harness.server.openConnections, EventLoopGroup.shared.loops.count)
        await harness.stop()
    }

    func testManyConcurrentCallsAllSucceedWithBodies() async throws {
        let harness = try await ServerTestHarness()
        let client = LoopHTTPClient(maxConnectionsPerHost: 8)
        let port = harness.port
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<300 {
                group.addTask {
                    let body = Array("payload-\(index)".utf8)
                    let response = try await client.send(
                        HTTPClientRequest(method: .POST, url: "http://127.0.0.1:\(port)/echo", body: body))
                    return response.body == body
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(results.count, 300)
        XCTAssertTrue(results.allSatisfy { $0 })
        await harness.stop()
    }

    func testTimeoutFailsTheCallAndTheClientKeepsWorking() async throws {
        let harness = try await ServerTestHarness()
        let client = LoopHTTPClient()
        do {
            _ = try await client.send(
                HTTPClientRequest(
                    method: .GET, url: "http://127.0.0.1:\(harness.port)/slow", timeout: .milliseconds(50)))
            XCTFail("expected a timeout")
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, .timeout)
        }
        let response = try await client.send(
            HTTPClientRequest(method: .GET, url: "http://127.0.0.1:\(harness.port)/hello"))
        XCTAssertEqual(response.status, .ok)
        await harness.stop()
    }

    func testConnectionRefusedIsConnectFailed() async throws {
        let client = LoopHTTPClient()
        do {
            _ = try await client.send(HTTPClientRequest(method: .GET, url: "http://127.0.0.1:1/"))
            XCTFail("expected a failure")
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, .connectFailed)
            XCTAssertFalse(error.mayHaveBeenReceived)
        }
    }

    func testInvalidURLsAreRefused() async throws {
        let client = LoopHTTPClient()
        for url in ["ftp://x/", "http://user:pw@host/", "http://", "http://host:99999/", "http://ho st/"] {
            do {
                _ = try await client.send(HTTPClientRequest(method: .GET, url: url))
                XCTFail("accepted \(url)")
            } catch let error as HTTPClientError {
                XCTAssertEqual(error.kind, .invalidURL, url)
            }
        }
    }

    func testServerClosingIdleConnectionsDoesNotBreakNextCall() async throws {
        let harness = try await ServerTestHarness { $0.idleTimeout = .milliseconds(300) }
        let client = LoopHTTPClient()
        let url = "http://127.0.0.1:\(harness.port)/hello"
        _ = try await client.send(HTTPClientRequest(method: .GET, url: url))
        try await Task.sleep(for: .milliseconds(800))
        let response = try await client.send(
            HTTPClientRequest(method: .POST, url: url.replacingOccurrences(of: "hello", with: "echo"), body: [1, 2, 3]))
        XCTAssertEqual(response.body, [1, 2, 3])
        await harness.stop()
    }

    func testRetriesIdempotentCallsOnlyAndHonorsRetryAfter() async throws {
        let attempts = Atomic<Int>(0)
        let harness = try await ServerTestHarness(routes: { router in
            let handler: RouteHandler = { _, _ in
                if attempts.wrappingAdd(1, ordering: .relaxed).newValue < 3 {
                    return HTTPResponse(status: .serviceUnavailable, headers: ["Retry-After": "0"])
                }
                return .text(.ok, "finally")
            }
            router.get("/flaky", handler)
            router.post("/flaky", handler)
        })
        let client = CofferHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5)))
        let url = "http://127.0.0.1:\(harness.port)/flaky"
        let got = try await client.send(HTTPClientRequest(method: .GET, url: url))
        XCTAssertEqual(got.bodyText, "finally")
        XCTAssertEqual(attempts.load(ordering: .relaxed), 3)

        attempts.store(0, ordering: .relaxed)
        let post = try await client.send(HTTPClientRequest(method: .POST, url: url))
        XCTAssertEqual(post.status, .serviceUnavailable, "a POST without an idempotency key is never retried")
        XCTAssertEqual(attempts.load(ordering: .relaxed), 1)

        attempts.store(0, ordering: .relaxed)
        let keyed = try await client.send(
            HTTPClientRequest(method: .POST, url: url, headers: ["Idempotency-Key": "k1"]))
        XCTAssertEqual(keyed.bodyText, "finally")
        await harness.stop()
    }

    func testSignerRunsOnEveryAttempt() async throws {
        let seen = Mutex<[String]>([])
        let harness = try await ServerTestHarness(routes: { router in
            router.get("/signed") { request, _ in
                let count = seen.withLock { list -> Int in
                    list.append(request.headers["X-Attempt"] ?? "")
                    return list.count
                }
                return count < 2 ? HTTPResponse(status: .badGateway) : .text(.ok, "ok")
            }
        })
        let counter = Atomic<Int>(0)
        let client = CofferHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1)))
        _ = try await client.send(HTTPClientRequest(method: .GET, url: "http://127.0.0.1:\(harness.port)/signed")) {
            request in
            request.headers.replaceOrAdd("X-Attempt", String(counter.wrappingAdd(1, ordering: .relaxed).newValue))
        }
        XCTAssertEqual(seen.withLock { $0 }, ["1", "2"])
        await harness.stop()
    }

    func testURLSessionClientSpeaksTheSameInterface() async throws {
        let harness = try await ServerTestHarness()
        let client = URLSessionHTTPClient()
        let response = try await client.send(
            HTTPClientRequest(method: .POST, url: "http://127.0.0.1:\(harness.port)/echo", body: Array("tls-less".utf8))
        )
        XCTAssertEqual(response.bodyText, "tls-less")
        XCTAssertEqual(response.headers["Content-Length"], "8")
        await harness.stop()
    }

    func testClientURLParsing() {
        let url = ClientURL("http://[::1]:8081/v1/payments?limit=3#frag")
        XCTAssertEqual(url?.host, "::1")
        XCTAssertEqual(url?.port, 8081)
        XCTAssertEqual(url?.target, "/v1/payments?limit=3")
        XCTAssertEqual(url?.hostHeader, "[::1]:8081")
        XCTAssertEqual(ClientURL("https://api.stripe.com")?.target, "/")
        XCTAssertEqual(ClientURL("https://api.stripe.com")?.hostHeader, "api.stripe.com")
        XCTAssertEqual(ClientURL("http://h?x=1")?.target, "/?x=1")
    }
}
