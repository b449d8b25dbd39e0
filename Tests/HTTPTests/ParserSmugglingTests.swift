import HTTP
import XCTest

/// Framing ambiguities that let a front end and a back end disagree on where a request ends.
final class ParserSmugglingTests: XCTestCase {
    private func post(_ fields: String..., body: String = "", version: String = "HTTP/1.1") -> [Decoded] {
        decodeRequests(([("POST / " + version), "Host: h"] + fields).map { $0 + "\r\n" }.joined() + "\r\n" + body)
    }

    func testContentLengthWithTransferEncoding() {
        XCTAssertEqual(
            post("Content-Length: 5", "Transfer-Encoding: chunked", body: "0\r\n\r\n"),
            [.error(.contentLengthWithTransferEncoding)])
        XCTAssertEqual(
            post("Transfer-Encoding: chunked", "Content-Length: 5", body: "0\r\n\r\n"),
            [.error(.contentLengthWithTransferEncoding)])
        XCTAssertEqual(
            post("content-length: 0", "TRANSFER-ENCODING: chunked"),
            [.error(.contentLengthWithTransferEncoding)])
    }

    func testDuplicateContentLength() {
        XCTAssertEqual(post("Content-Length: 5", "Content-Length: 5", body: "hello"), [.error(.duplicateContentLength)])
        XCTAssertEqual(
            post("Content-Length: 5", "Content-Length: 6", body: "hello!"),
            [.error(.duplicateContentLength)])
        XCTAssertEqual(post("Content-Length: 5", "content-length: 5", body: "hello"), [.error(.duplicateContentLength)])
    }

    func testInvalidContentLengthValues() {
        let values = [
            "+5", "-1", "5 5", " 5 5", "0x5", "5,5", "5, 5", "5.0", "5e2", "", "five", "١",
            "99999999999999999999999999", "9223372036854775808",
        ]
        for value in values {
            XCTAssertEqual(
                post("Content-Length: \(value)", body: "hello"), [.error(.invalidContentLength)],
                value.debugDescription)
        }
        XCTAssertEqual(post("Content-Length: \u{7}5", body: "hello"), [.error(.invalidHeaderValue)])
    }

    func testValidContentLengthValues() {
        XCTAssertEqual(post("Content-Length:  5 ", body: "hello").dropFirst(), [.body("hello"), .end(trailers: nil)])
        XCTAssertEqual(post("Content-Length: 0005", body: "hello").dropFirst(), [.body("hello"), .end(trailers: nil)])
        XCTAssertEqual(post("Content-Length: 0").dropFirst(), [.end(trailers: nil)])
        // Int.max parses, and is then simply larger than any body limit.
        let huge = post("Content-Length: 9223372036854775807")
        XCTAssertEqual(huge.count, 2)
        XCTAssertEqual(huge.error, .bodyTooLarge)
    }

    func testTransferEncodingMustBeExactlyChunked() {
        let values = [
            "chunked, identity", "identity", "xchunked", "chunkedx", "gzip, chunked", "chunked, chunked",
            "chunked;q=1", "\"chunked\"", "", "chunked,", "deflate",
        ]
        for value in values {
            let events = post("Transfer-Encoding: \(value)", body: "0\r\n\r\n")
            XCTAssertEqual(events, [.error(.unsupportedTransferEncoding)], value.debugDescription)
            XCTAssertEqual(events.error?.status, 501)
        }
    }

    func testTwoTransferEncodingHeaders() {
        XCTAssertEqual(
            post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked", body: "0\r\n\r\n"),
            [.error(.unsupportedTransferEncoding)])
        XCTAssertEqual(
            post("Transfer-Encoding: gzip", "Transfer-Encoding: chunked", body: "0\r\n\r\n"),
            [.error(.unsupportedTransferEncoding)])
    }

    func testChunkedIsCaseInsensitiveAndTrimmed() {
        for value in ["chunked", "Chunked", "CHUNKED", "  chunked\t"] {
            XCTAssertEqual(
                post("Transfer-Encoding: \(value)", body: "1\r\nx\r\n0\r\n\r\n").dropFirst(),
                [.body("x"), .end(trailers: nil)], value.debugDescription)
        }
    }

    func testTransferEncodingOnHTTP10() {
        let events = post("Transfer-Encoding: chunked", body: "0\r\n\r\n", version: "HTTP/1.0")
        XCTAssertEqual(events, [.error(.transferEncodingInHTTP10)])
        XCTAssertEqual(events.error?.status, 400)
    }

    func testNoFramingMeansNoBody() {
        // Bytes after a body-less head are the next request, never a body.
        let events = decodeRequests(request("POST / HTTP/1.1", "Host: h"), request("GET /next HTTP/1.1", "Host: h"))
        XCTAssertEqual(events.heads.map(\.target), ["/", "/next"])
        XCTAssertEqual(events.count, 4)
    }

    func testSmuggledRequestInBodyStaysBody() {
        let inner = request("GET /admin HTTP/1.1", "Host: h")
        let outer = request("POST / HTTP/1.1", "Host: h", "Content-Length: \(inner.utf8.count)", body: inner)
        let events = decodeRequests(outer)
        XCTAssertEqual(events.heads.map(\.target), ["/"])
        XCTAssertEqual(events.dropFirst(), [.body(inner), .end(trailers: nil)])
    }
}
