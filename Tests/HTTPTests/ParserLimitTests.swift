import HTTP
import XCTest

/// Each limit at exactly its value, and one byte past it.
final class ParserLimitTests: XCTestCase {
    private let limits = HTTPParserLimits()
    private let small = HTTPParserLimits(maxBodyBytes: 64)

    /// A request line of exactly `length` bytes (without CRLF).
    private func requestLine(length: Int) -> String {
        "GET /" + String(repeating: "a", count: length - "GET / HTTP/1.1".count) + " HTTP/1.1"
    }

    func testRequestLineAtTheLimit() {
        let line = requestLine(length: limits.maxRequestLineBytes)
        XCTAssertEqual(
            decodeRequests(request(line, "Host: h")).heads.first?.target.count,
            limits.maxRequestLineBytes - 13)
    }

    func testRequestLineOnePastTheLimit() {
        let line = requestLine(length: limits.maxRequestLineBytes + 1)
        let events = decodeRequests(request(line, "Host: h"))
        XCTAssertEqual(events, [.error(.uriTooLong)])
        XCTAssertEqual(events.error?.status, 414)
    }

    func testRequestLineFailsWithoutWaitingForItsEnd() {
        var parser = HTTPRequestParser()
        let line = Array(requestLine(length: limits.maxRequestLineBytes).utf8)
        parser.feed(line + [0x0D])
        guard case .needMoreData = parser.next() else { return XCTFail("at the limit, a CR may still end it") }

        var overflowing = HTTPRequestParser()
        overflowing.feed(line + [UInt8(ascii: "x")])
        guard case .error(.uriTooLong) = overflowing.next() else { return XCTFail("expected 414 at once") }
    }

    /// A header section (fields plus final CRLF) of exactly `size` bytes.
    private func headerSection(size: Int) -> String {
        let fixed = "Host: h\r\nX-Pad: \r\n\r\n".utf8.count
        return "Host: h\r\nX-Pad: " + String(repeating: "p", count: size - fixed) + "\r\n\r\n"
    }

    func testHeaderSectionAtTheLimit() {
        let events = decodeRequests("GET / HTTP/1.1\r\n" + headerSection(size: limits.maxHeaderBytes))
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.heads.first?.headers.count, 2)
    }

    func testHeaderSectionOnePastTheLimit() {
        let events = decodeRequests("GET / HTTP/1.1\r\n" + headerSection(size: limits.maxHeaderBytes + 1))
        XCTAssertEqual(events, [.error(.headerFieldsTooLarge)])
        XCTAssertEqual(events.error?.status, 431)
    }

    func testHeaderSectionFailsWithoutWaitingForItsEnd() {
        let start = Array("GET / HTTP/1.1\r\nX: ".utf8)
        var parser = HTTPRequestParser()
        parser.feed(start + Array(repeating: UInt8(ascii: "v"), count: limits.maxHeaderBytes - 3))
        guard case .needMoreData = parser.next() else { return XCTFail("exactly at the limit") }
        parser.feed([UInt8(ascii: "v")])
        guard case .error(.headerFieldsTooLarge) = parser.next() else { return XCTFail("expected 431 at once") }
    }

    func testFieldCount() {
        let fields = (1..<limits.maxHeaderCount).map { "X-\($0): v" }
        let atLimit = decodeRequests("GET / HTTP/1.1\r\nHost: h\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n")
        XCTAssertEqual(atLimit.heads.first?.headers.count, limits.maxHeaderCount)

        let pastLimit = decodeRequests(
            "GET / HTTP/1.1\r\nHost: h\r\nX-0: v\r\n"
                + fields.map { $0 + "\r\n" }.joined() + "\r\n")
        XCTAssertEqual(pastLimit, [.error(.tooManyHeaders)])
        XCTAssertEqual(pastLimit.error?.status, 431)
    }

    func testContentLengthBodyAtAndPastTheLimit() {
        let body = String(repeating: "b", count: 64)
        let atLimit = decodeRequests(
            request("POST / HTTP/1.1", "Host: h", "Content-Length: 64", body: body),
            limits: small)
        XCTAssertEqual(atLimit.dropFirst(), [.body(body), .end(trailers: nil)])

        let pastLimit = decodeRequests(
            request("POST / HTTP/1.1", "Host: h", "Content-Length: 65", body: body + "b"),
            limits: small)
        XCTAssertEqual(pastLimit.count, 2, "head, then 413 before any body byte")
        XCTAssertEqual(pastLimit.error, .bodyTooLarge)
        XCTAssertEqual(pastLimit.error?.status, 413)
    }

    func testChunkedBodyAtAndPastTheLimit() {
        let forty = String(repeating: "a", count: 40)
        let twentyFour = String(repeating: "b", count: 24)
        let atLimit = decodeRequests(
            request(
                "POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                body: "28\r\n\(forty)\r\n18\r\n\(twentyFour)\r\n0\r\n\r\n"),
            limits: small)
        XCTAssertEqual(atLimit.dropFirst(), [.body(forty + twentyFour), .end(trailers: nil)])

        let pastLimit = decodeRequests(
            request(
                "POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                body: "28\r\n\(forty)\r\n19\r\n\(twentyFour)b\r\n0\r\n\r\n"),
            limits: small)
        XCTAssertEqual(
            pastLimit.dropFirst(), [.body(forty), .error(.bodyTooLarge)],
            "413 when the chunk that crosses the limit is announced")

        let oneBigChunk = decodeRequests(
            request(
                "POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                body: "41\r\n"), limits: small)
        XCTAssertEqual(oneBigChunk.dropFirst(), [.error(.bodyTooLarge)])
    }

    func testSetBodyLimitRaisesForOneRequestOnly() {
        let body = String(repeating: "u", count: 100)
        let upload = request("POST /upload HTTP/1.1", "Host: h", "Content-Length: 100", body: body)
        let other = request("POST /other HTTP/1.1", "Host: h", "Content-Length: 100", body: body)
        let events = decodeRequests(upload, other, limits: small) { parser, head in
            if head.target == "/upload" { parser.setBodyLimit(100) }
        }
        XCTAssertEqual(events.heads.map(\.target), ["/upload", "/other"])
        guard events.count == 5 else { return XCTFail("\(events)") }
        XCTAssertEqual(events[1...2], [.body(body), .end(trailers: nil)])
        XCTAssertEqual(events.error, .bodyTooLarge, "the limit is back to 64 for the next request")
    }

    func testSetBodyLimitLowers() {
        let events = decodeRequests(
            request("POST / HTTP/1.1", "Host: h", "Content-Length: 10", body: "0123456789"),
            limits: small
        ) { parser, _ in parser.setBodyLimit(9) }
        XCTAssertEqual(events.dropFirst(), [.error(.bodyTooLarge)])

        let exact = decodeRequests(
            request("POST / HTTP/1.1", "Host: h", "Content-Length: 10", body: "0123456789"),
            limits: small
        ) { parser, _ in parser.setBodyLimit(10) }
        XCTAssertEqual(exact.dropFirst(), [.body("0123456789"), .end(trailers: nil)])

        let chunked = decodeRequests(
            request(
                "POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                body: "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n"),
            limits: small
        ) { parser, _ in parser.setBodyLimit(3) }
        XCTAssertEqual(chunked.dropFirst(), [.body("abc"), .error(.bodyTooLarge)])
    }

    func testSetBodyLimitOutsideABodyIsIgnored() {
        var parser = HTTPRequestParser(limits: small)
        parser.setBodyLimit(1_000)
        parser.feed(Array(request("POST / HTTP/1.1", "Host: h", "Content-Length: 65").utf8))
        guard case .head = parser.next() else { return XCTFail("expected head") }
        guard case .error(.bodyTooLarge) = parser.next() else { return XCTFail("expected 413") }
    }

    func testZeroLimitsRejectEverything() {
        let zero = HTTPParserLimits(maxRequestLineBytes: 0, maxHeaderBytes: 0, maxHeaderCount: 0, maxBodyBytes: 0)
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host: h"), limits: zero), [.error(.uriTooLong)])
    }
}
