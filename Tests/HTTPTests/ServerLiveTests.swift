import Foundation
import Shared
import TestSupport
import XCTest

@testable import HTTP

/// A real server on a real socket: keep-alive, pipelining, limits, deadlines, overload, shutdown.
final class ServerLiveTests: XCTestCase {
    func testKeepAliveServesSeveralRequestsOnOneConnection() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        for _ in 0..<3 {
            try socket.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try XCTUnwrap(socket.readResponses(1).first)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.text, "hello")
            XCTAssertNil(response.header("Connection"))
        }
        XCTAssertEqual(harness.server.openConnections, 1)
        await harness.stop()
    }

    func testThreePipelinedRequestsInOneWriteAreAnsweredInOrder() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send(
            "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nthree")
        let responses = try socket.readResponses(3)
        XCTAssertEqual(responses.map(\.text), ["item 1", "slow", "three"])
        await harness.stop()
    }

    func testHTTP10ClosesUnlessKeepAliveAsked() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send("GET /hello HTTP/1.0\r\n\r\n")
        let response = try XCTUnwrap(socket.readResponses(1).first)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(socket.waitForClose())

        let second = try harness.connect()
        try second.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try second.readResponses(1).first?.header("Connection"), "keep-alive")
        try second.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try second.readResponses(1).first?.status, 200)
        await harness.stop()
    }

    func testNotFoundAndMethodNotAllowedWithAllow() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\nDELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let responses = try socket.readResponses(2)
        XCTAssertEqual(responses[0].status, 404)
        XCTAssertTrue(responses[0].text.contains("\"code\":\"route_not_found\""))
        XCTAssertEqual(responses[1].status, 405)
        XCTAssertEqual(responses[1].header("Allow"), "GET, HEAD")
        await harness.stop()
    }

    func testHeadGetsHeadersWithoutBody() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let responses = try socket.readResponses(2, requestMethods: [.HEAD, .GET])
        XCTAssertEqual(responses[0].header("Content-Length"), "5")
        XCTAssertEqual(responses[0].body, [])
        XCTAssertEqual(responses[1].text, "hello")
        await harness.stop()
    }

    func testCorrelationIDIsEchoedOrCreatedAndBadOnesReplaced() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send(
            "GET /hello HTTP/1.1\r\nHost: x\r\nX-Correlation-ID: order-42\r\n"
                + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n")
        let first = try XCTUnwrap(socket.readResponses(1).first)
        XCTAssertEqual(first.header("X-Correlation-ID"), "order-42")
        XCTAssertEqual(first.header("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        try socket.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Correlation-ID: <script>\r\n\r\n")
        let second = try XCTUnwrap(socket.readResponses(1).first)
        let created = try XCTUnwrap(second.header("X-Correlation-ID"))
        XCTAssertNotEqual(created, "<script>")
        XCTAssertEqual(created, second.header("X-Request-ID"))
        await harness.stop()
    }

    func testBodyOverRouteLimitIs413AndCloses() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send(
            "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n" + String(repeating: "a", count: 17))
        let response = try XCTUnwrap(socket.readResponses(1).first)
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(socket.waitForClose())
        let ok = try harness.connect()
        try ok.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n" + String(repeating: "a", count: 16))
        XCTAssertEqual(try ok.readResponses(1).first?.text, "16")
        await harness.stop()
    }

    func testSlowHeaderSenderIsCutAtTheDeadline() async throws {
        let harness = try await ServerTestHarness { $0.headerReadTimeout = .seconds(1) }
        let socket = try harness.connect(readTimeout: .seconds(4))
        let started = ContinuousClock.now
        var cut = false
        // One byte every 300 ms: the head would take ~10 s; the 1 s deadline must end it.
        for byte in Array("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8) {
            do { try socket.send([byte]) } catch { cut = true; break }
            try await Task.sleep(for: .milliseconds(300))
            if ContinuousClock.now - started > .seconds(3) { break }
        }
        let response = try? socket.readResponses(1).first
        if let response { XCTAssertEqual(response.status, 408) } else { XCTAssertTrue(cut || socket.waitForClose()) }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4))
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(harness.server.openConnections, 0)
        // Other clients are unaffected.
        let other = try harness.connect()
        try other.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try other.readResponses(1).first?.status, 200)
        await harness.stop()
    }

    func testIdleKeepAliveConnectionIsClosed() async throws {
        let harness = try await ServerTestHarness { $0.idleTimeout = .milliseconds(500) }
        let socket = try harness.connect()
        try socket.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try socket.readResponses(1)
        XCTAssertTrue(socket.waitForClose())
        await harness.stop()
    }

    func testTooManyInFlightRequestsGet503WithRetryAfter() async throws {
        let harness = try await ServerTestHarness { $0.maxInFlightRequests = 1 }
        let busy = try harness.connect()
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(100))
        let second = try harness.connect()
        try second.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let rejected = try XCTUnwrap(second.readResponses(1).first)
        XCTAssertEqual(rejected.status, 503)
        XCTAssertEqual(rejected.header("Retry-After"), "1")
        XCTAssertEqual(try busy.readResponses(1).first?.text, "slow")
        try second.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try second.readResponses(1).first?.status, 200)
        await harness.stop()
    }

    func testMaxConnectionsClosesTheExtraOnes() async throws {
        let harness = try await ServerTestHarness { $0.maxConnections = 2 }
        let first = try harness.connect()
        let second = try harness.connect()
        try await Task.sleep(for: .milliseconds(100))
        let third = try harness.connect()
        XCTAssertTrue(third.waitForClose())
        for socket in [first, second] {
            try socket.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try socket.readResponses(1).first?.status, 200)
        }
        await harness.stop()
    }

    func testShutdownFinishesInFlightRequestThenCloses() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        let idle = try harness.connect()
        try socket.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        let stopping = Task { await harness.stop() }
        let response = try XCTUnwrap(socket.readResponses(1).first)
        XCTAssertEqual(response.text, "slow")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(idle.waitForClose())
        await stopping.value
        XCTAssertThrowsError(try harness.connect(), "no longer accepting")
    }
}
