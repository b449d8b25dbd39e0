import Foundation
import Shared
import TestSupport
import XCTest

@testable import HTTP

/// Limits and hostile input against a live server: every bad client gets its 4xx and is cut off;
/// everyone else is unaffected.
final class ServerLimitTests: XCTestCase {
    func testChunkedUploadIsReassembled() async throws {
        let harness = try await ServerTestHarness()
        let socket = try harness.connect()
        try socket.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
        )
        XCTAssertEqual(try socket.readResponses(1).first?.text, "hello, world")
        await harness.stop()
    }

    func testOneBytePastEachLimit() async throws {
        let harness = try await ServerTestHarness { config in
            config.limits = HTTPParserLimits(
                maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 10, maxBodyBytes: 64)
        }
        func status(_ request: String) throws -> Int? {
            let socket = try harness.connect()
            try socket.send(request)
            return try socket.readResponses(1).first?.status
        }
        // Request line: exactly 256 bytes is fine (404, the route does not exist); 257 is 414.
        let base = "GET /"
        let suffix = " HTTP/1.1"
        let fits = base + String(repeating: "a", count: 256 - base.count - suffix.count) + suffix
        XCTAssertEqual(fits.utf8.count, 256)
        XCTAssertEqual(try status(fits + "\r\nHost: x\r\n\r\n"), 404)
        let over = base + String(repeating: "a", count: 257 - base.count - suffix.count) + suffix
        XCTAssertEqual(try status(over + "\r\nHost: x\r\n\r\n"), 414)
        // Header block over 1 KiB → 431; 11 fields → 431.
        XCTAssertEqual(
            try status("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 1100) + "\r\n\r\n"),
            431)
        let tenFields = (1..<10).map { "X-\($0): v\r\n" }.joined()
        XCTAssertEqual(try status("GET /hello HTTP/1.1\r\nHost: x\r\n" + tenFields + "\r\n"), 200)
        XCTAssertEqual(try status("GET /hello HTTP/1.1\r\nHost: x\r\n" + tenFields + "X-10: v\r\n\r\n"), 431)
        // Body: 64 fine, 65 → 413, chunked too.
        XCTAssertEqual(
            try status(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 64\r\n\r\n" + String(repeating: "c", count: 64)), 200
        )
        XCTAssertEqual(
            try status(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n" + String(repeating: "c", count: 65)), 413
        )
        XCTAssertEqual(
            try status(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n"
                    + String(repeating: "c", count: 65) + "\r\n0\r\n\r\n"), 413)
        // Smuggling attempt: refused with 400 and the connection closed.
        let socket = try harness.connect()
        try socket.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let responses = try socket.readResponses(2)
        XCTAssertEqual(responses.count, 1, "nothing after the refused request is served")
        XCTAssertEqual(responses.first?.status, 400)
        XCTAssertEqual(responses.first?.header("Connection"), "close")
        await harness.stop()
    }

    func testFuzzedRequestsNeverTakeTheServerDown() async throws {
        let harness = try await ServerTestHarness { $0.headerReadTimeout = .seconds(2) }
        var generator = SeededGenerator(seed: 0xC0FFEE)
        let seeds = [
            "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET /items/%E2%82%AC HTTP/1.1\r\nHost: x\r\nX-Correlation-ID: abc\r\n\r\n",
        ]
        var answered = 0
        for round in 0..<1500 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            switch round % 5 {
            case 0:
                bytes = (0..<Int.random(in: 1...200, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            case 1:
                for _ in 0..<3 {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            case 2:
                bytes.insert(
                    contentsOf: Array("\r\n\u{0}:;\"\t ".utf8).shuffled(using: &generator),
                    at: Int.random(in: 0..<bytes.count, using: &generator))
            case 3: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            default: bytes += bytes
            }
            let socket = try harness.connect(readTimeout: .milliseconds(300))
            try? socket.send(bytes)
            shutdown(socket.fd, Int32(SHUT_WR))
            if let reply = try? socket.receiveSome(), !reply.isEmpty { answered += 1 }
        }
        XCTAssertGreaterThan(answered, 500, "malformed requests get answers (4xx) rather than silence")
        let socket = try harness.connect()
        try socket.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try socket.readResponses(1).first?.text, "hello", "the server still answers a normal request")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertLessThanOrEqual(harness.server.openConnections, 1, "no connection was leaked")
        await harness.stop()
    }
}

/// A small deterministic generator so a failing fuzz round can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
