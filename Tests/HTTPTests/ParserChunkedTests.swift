import HTTP
import XCTest

/// Chunked transfer coding: sizes, extensions, terminators and trailers.
final class ParserChunkedTests: XCTestCase {
    /// The events after the head of a chunked POST with `body`.
    private func chunked(_ body: String, limits: HTTPParserLimits = HTTPParserLimits()) -> ArraySlice<Decoded> {
        let events = decodeRequests(
            request("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body: body),
            limits: limits)
        XCTAssertEqual(events.heads.count, 1)
        return events.dropFirst()
    }

    func testChunks() {
        XCTAssertEqual(
            chunked("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"),
            [.body("hello world"), .end(trailers: nil)])
        XCTAssertEqual(chunked("0\r\n\r\n"), [.end(trailers: nil)])
    }

    func testHexSizes() {
        let body = String(repeating: "z", count: 0x1a)
        XCTAssertEqual(chunked("1a\r\n\(body)\r\n0\r\n\r\n"), [.body(body), .end(trailers: nil)])
        XCTAssertEqual(chunked("1A\r\n\(body)\r\n0\r\n\r\n"), [.body(body), .end(trailers: nil)])
        XCTAssertEqual(chunked("001A\r\n\(body)\r\n000\r\n\r\n"), [.body(body), .end(trailers: nil)])
    }

    func testExtensionsAreIgnored() {
        XCTAssertEqual(
            chunked("3;name=value\r\nabc\r\n2 ; a ; b=\"q;uoted\"\r\nde\r\n0;last\r\n\r\n"),
            [.body("abcde"), .end(trailers: nil)])
    }

    func testChunkSizeLineIsBounded() {
        let longExtension = ";" + String(repeating: "e", count: 4096)
        XCTAssertEqual(chunked("3\(longExtension)\r\nabc\r\n0\r\n\r\n"), [.error(.chunkExtensionTooLong)])
        let fits = ";" + String(repeating: "e", count: 4094)
        XCTAssertEqual(chunked("3\(fits)\r\nabc\r\n0\r\n\r\n"), [.body("abc"), .end(trailers: nil)])
        // Without a line end the bound still applies, so a client cannot stream an endless extension.
        XCTAssertEqual(chunked("3" + longExtension), [.error(.chunkExtensionTooLong)])
    }

    func testInvalidChunkSizes() {
        for size in ["", "g", "-1", "+1", " 1", "1 ", "0x1", "1 1", "1,1", "ffffffffffffffffff", "8000000000000000"] {
            XCTAssertEqual(chunked("\(size)\r\nx\r\n0\r\n\r\n"), [.error(.invalidChunkSize)], size.debugDescription)
        }
        XCTAssertEqual(chunked("1\u{0};x\r\nx\r\n0\r\n\r\n"), [.error(.invalidChunkSize)])
    }

    func testLargestSizeIsTooLargeNotWrapped() {
        XCTAssertEqual(chunked("7fffffffffffffff\r\n"), [.error(.bodyTooLarge)])
    }

    func testChunkSizeLineEndings() {
        XCTAssertEqual(chunked("1\nx\r\n0\r\n\r\n"), [.error(.bareLineFeed)])
        XCTAssertEqual(chunked("1\rx\r\n0\r\n\r\n"), [.error(.bareCarriageReturn)])
    }

    func testMissingCRLFAfterData() {
        XCTAssertEqual(chunked("3\r\nabcd\r\n0\r\n\r\n"), [.body("abc"), .error(.invalidChunkTerminator)])
        XCTAssertEqual(chunked("3\r\nabc\n0\r\n\r\n"), [.body("abc"), .error(.invalidChunkTerminator)])
        XCTAssertEqual(chunked("3\r\nabc\rx0\r\n\r\n"), [.body("abc"), .error(.invalidChunkTerminator)])
        XCTAssertEqual(chunked("3\r\nabc0\r\n\r\n"), [.body("abc"), .error(.invalidChunkTerminator)])
    }

    func testTrailers() {
        XCTAssertEqual(
            chunked("2\r\nok\r\n0\r\nX-Checksum: abc \r\nX-Other:\t1\r\n\r\n"),
            [.body("ok"), .end(trailers: ["X-Checksum: abc", "X-Other: 1"])])
    }

    func testInvalidTrailers() {
        for line in ["Bad Name: x", " folded", ": v", "X: \u{1}", "NoColon"] {
            XCTAssertEqual(chunked("0\r\n\(line)\r\n\r\n"), [.error(.invalidTrailer)], line.debugDescription)
        }
        XCTAssertEqual(chunked("0\r\nX: y\n\r\n"), [.error(.bareLineFeed)])
    }

    func testTrailerCountLimit() {
        let limits = HTTPParserLimits(maxHeaderCount: 3)
        let three = (1...3).map { "T\($0): v\r\n" }.joined()
        XCTAssertEqual(
            chunked("0\r\n\(three)\r\n", limits: limits),
            [.end(trailers: ["T1: v", "T2: v", "T3: v"])])
        XCTAssertEqual(chunked("0\r\n\(three)T4: v\r\n\r\n", limits: limits), [.error(.tooManyHeaders)])
    }

    func testTrailerSizeLimit() {
        // The head's own section is 39 bytes; the limit is shared with the trailer section.
        let limits = HTTPParserLimits(maxHeaderBytes: 60)
        // "T: " + 53 bytes + CRLF, plus the final CRLF: exactly 60.
        let value = String(repeating: "t", count: 53)
        XCTAssertEqual(chunked("0\r\nT: \(value)\r\n\r\n", limits: limits), [.end(trailers: ["T: \(value)"])])
        XCTAssertEqual(chunked("0\r\nT: \(value)t\r\n\r\n", limits: limits), [.error(.headerFieldsTooLarge)])
    }

    func testChunkedThenPipelinedRequest() {
        let first = request(
            "POST /1 HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
            body: "1\r\na\r\n0\r\nT: x\r\n\r\n")
        let second = request("GET /2 HTTP/1.1", "Host: h")
        let events = decodeRequests(first, second)
        XCTAssertEqual(events.heads.map(\.target), ["/1", "/2"])
        XCTAssertEqual(events.dropFirst().prefix(2), [.body("a"), .end(trailers: ["T: x"])])
        XCTAssertEqual(events.last, .end(trailers: nil))
    }
}
