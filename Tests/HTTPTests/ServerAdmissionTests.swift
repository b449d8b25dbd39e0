import Foundation
import Shared
import Synchronization
import TestSupport
import XCTest

@testable import HTTP

/// Authentication runs on the head: a refused request is answered before any body byte is read, and
/// an admitted one carries what the admission learned to its handler.
final class ServerAdmissionTests: XCTestCase {
    /// Lets in requests carrying `Authorization: Bearer good`, recording each call.
    struct BearerAdmission: HTTPAdmission {
        let calls: Hits

        func admit(_ head: HTTPRequestHead, context: inout RequestContext) async throws {
            calls.add()
            guard head.headers["Authorization"] == "Bearer good" else {
                throw HTTPError(.unauthorized, code: "unauthorized", message: "no")
            }
            context.responseHeaders.add("X-Admitted", "yes")
            context.tenantID = "ten_admitted"
        }
    }

    func harness(calls: Hits) async throws -> ServerTestHarness {
        let admission = BearerAdmission(calls: calls)
        return try await ServerTestHarness(routes: { router in
            router.post("/guarded", bodyLimit: 64 << 20, admission: [admission]) { request, context in
                .text(.ok, "\(request.body.count) for \(context.tenantID ?? "-")")
            }
        })
    }

    func testARefusedRequestIsAnsweredBeforeItsBodyIsSentAndTheConnectionCloses() async throws {
        let calls = Hits()
        let harness = try await harness(calls: calls)
        let socket = try harness.connect()
        // A head promising 50 MB, and not one byte of body: the answer must come anyway.
        try socket.send(
            "POST /guarded HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad\r\nContent-Length: 50000000\r\n\r\n")
        let responses = try socket.readResponses(1)
        XCTAssertEqual(responses.first?.status, 401)
        XCTAssertEqual(responses.first?.header("Connection"), "close")
        XCTAssertTrue(socket.waitForClose(), "a refused request's connection cannot carry another")
        XCTAssertEqual(calls.value, 1)
        await harness.stop()
    }

    func testAnAdmittedRequestReadsItsBodyAndKeepsWhatTheAdmissionLearned() async throws {
        let calls = Hits()
        let harness = try await harness(calls: calls)
        let socket = try harness.connect()
        // Expect: 100-continue is answered only once admitted.
        try socket.send(
            "POST /guarded HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        )
        let interim = try socket.receiveSome()
        XCTAssertTrue(
            String(decoding: interim, as: UTF8.self).hasPrefix("HTTP/1.1 100"), String(decoding: interim, as: UTF8.self)
        )
        try socket.send("hello")
        let response = try XCTUnwrap(try socket.readResponses(1).first)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "5 for ten_admitted")
        XCTAssertEqual(response.header("X-Admitted"), "yes")
        // Keep-alive continues; a refused one on the same connection is answered and closes it.
        try socket.send("POST /guarded HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        XCTAssertEqual(try socket.readResponses(1).first?.status, 401)
        XCTAssertEqual(calls.value, 2)
        await harness.stop()
    }

    func testManyRefusalsLeaveNoRequestCountedInFlight() async throws {
        let calls = Hits()
        let harness = try await harness(calls: calls)
        for _ in 0..<50 {
            let socket = try harness.connect()
            try socket.send("POST /guarded HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            _ = try socket.readResponses(1)
        }
        // Admitted, then the client vanishes before sending its body: the slot is given back too.
        for _ in 0..<20 {
            let socket = try harness.connect()
            try socket.send(
                "POST /guarded HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Length: 100\r\n\r\nab")
        }
        let drained = await eventually(timeout: .seconds(5)) { harness.server.requestsInFlight == 0 }
        XCTAssertTrue(drained, "in flight: \(harness.server.requestsInFlight)")
        await harness.stop()
    }

    func testInProcessCallsRunTheAdmissionToo() async throws {
        let calls = Hits()
        let router = Router()
        router.post("/guarded", admission: [BearerAdmission(calls: calls)]) { request, _ in
            .text(.ok, "\(request.body.count)")
        }
        let responder = RouterResponder(
            router: router, logger: Logger(service: "test", minimumLevel: .critical), metrics: MetricsRegistry())
        let refused = await responder.respond(to: HTTPRequest(method: .POST, target: "/guarded", body: [1, 2]))
        XCTAssertEqual(refused.status.code, 401)
        let admitted = await responder.respond(
            to: HTTPRequest(
                method: .POST, target: "/guarded", headers: ["Authorization": "Bearer good"],
                body: [1, 2]))
        XCTAssertEqual(admitted.status.code, 200)
        XCTAssertEqual(admitted.headers["X-Admitted"], "yes")
    }

    func testARouteServedOnOneListenerIsNotFoundOnTheOther() async throws {
        let router = Router()
        router.get("/admin/secret") { _, _ in .text(.ok, "operators only") }
        router.get("/v1/things") { _, _ in .text(.ok, "public") }
        let logger = Logger(service: "test", minimumLevel: .critical)
        let publicSide = RouterResponder(
            router: router, logger: logger, metrics: MetricsRegistry(), serving: { !$0.hasPrefix("/admin") })
        let internalSide = RouterResponder(
            router: router, logger: logger, metrics: MetricsRegistry(), serving: { $0.hasPrefix("/admin") })
        let onPublic = await publicSide.respond(to: HTTPRequest(method: .GET, target: "/admin/secret"))
        XCTAssertEqual(onPublic.status.code, 404)
        let onInternal = await internalSide.respond(to: HTTPRequest(method: .GET, target: "/admin/secret"))
        XCTAssertEqual(onInternal.status.code, 200)
        let publicOnInternal = await internalSide.respond(to: HTTPRequest(method: .GET, target: "/v1/things"))
        XCTAssertEqual(publicOnInternal.status.code, 404)
    }
}

/// A counter shared with handlers.
final class Hits: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
