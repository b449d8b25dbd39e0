import HTTP
import XCTest

/// The client-side response parser: framing by method and status, interim responses, EOF.
final class ParserResponseTests: XCTestCase {
    private func head(
        _ status: Int, _ headers: [String] = [], version: HTTPVersion = .http1_1,
        keepAlive: Bool = true
    ) -> Decoded {
        .head(DecodedHead(status: status, version: version, headers: headers, keepAlive: keepAlive))
    }

    func testContentLength() {
        let events = decodeResponses(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"])
        XCTAssertEqual(events, [head(200, ["Content-Length: 5"]), .body("hello"), .end(trailers: nil)])
    }

    func testChunkedWithTrailers() {
        let events = decodeResponses([
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n",
            "4\r\nwiki\r\n5;ext\r\npedia\r\n0\r\nDigest: sha-256=x\r\n\r\n",
        ])
        XCTAssertEqual(
            events,
            [
                head(201, ["Transfer-Encoding: chunked"]), .body("wikipedia"),
                .end(trailers: ["Digest: sha-256=x"]),
            ])
    }

    func testReadUntilClose() {
        let events = decodeResponses(["HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", "all of ", "this"], close: true)
        XCTAssertEqual(
            events,
            [
                head(200, ["Connection: close"], keepAlive: false), .body("all of this"),
                .end(trailers: nil),
            ])
        let http10 = decodeResponses(["HTTP/1.0 200 OK\r\n\r\nold"], close: true)
        XCTAssertEqual(http10, [head(200, version: .http1_0, keepAlive: false), .body("old"), .end(trailers: nil)])
    }

    func testReadUntilCloseWithoutCloseStaysOpen() {
        let events = decodeResponses(["HTTP/1.1 200 OK\r\n\r\npartial"])
        XCTAssertEqual(events, [head(200), .body("partial")])
    }

    func testReadUntilCloseIsLimited() {
        let limits = HTTPParserLimits(maxBodyBytes: 4)
        let events = decodeResponses(["HTTP/1.1 200 OK\r\n\r\n", "abcde"], close: true, limits: limits)
        XCTAssertEqual(events, [head(200), .body("abcd"), .error(.bodyTooLarge)])
    }

    func testHeadResponseHasNoBody() {
        let events = decodeResponses(
            [
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            ], methods: [.HEAD, .GET])
        XCTAssertEqual(
            events,
            [
                head(200, ["Content-Length: 100"]), .end(trailers: nil),
                head(200, ["Content-Length: 2"]), .body("ok"), .end(trailers: nil),
            ])
    }

    func testNoBodyStatuses() {
        for status in [204, 304] {
            let events = decodeResponses([
                "HTTP/1.1 \(status) X\r\nContent-Length: 10\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            ])
            XCTAssertEqual(
                events,
                [
                    head(status, ["Content-Length: 10"]), .end(trailers: nil),
                    head(200, ["Content-Length: 0"]), .end(trailers: nil),
                ], "\(status)")
        }
    }

    func testInterimResponsesAreSkipped() {
        let events = decodeResponses(
            [
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            ], methods: [.POST])
        XCTAssertEqual(events, [head(200, ["Content-Length: 2"]), .body("ok"), .end(trailers: nil)])
    }

    func testSwitchingProtocolsEndsHTTP() {
        let events = decodeResponses(["HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "\u{1}\u{2}"])
        XCTAssertEqual(events, [head(101, ["Upgrade: websocket"]), .end(trailers: nil)])
    }

    func testTruncatedBody() {
        let events = decodeResponses(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"], close: true)
        XCTAssertEqual(events, [head(200, ["Content-Length: 10"]), .body("hello"), .error(.incompleteMessage)])
        let chunked = decodeResponses(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"], close: true)
        XCTAssertEqual(chunked.last, .error(.incompleteMessage))
    }

    func testTruncatedHead() {
        XCTAssertEqual(decodeResponses(["HTTP/1.1 200 OK\r\nContent-"], close: true), [.error(.incompleteMessage)])
        XCTAssertEqual(decodeResponses(["HTTP/1.1 100 Continue\r\n\r\n"], close: true), [.error(.incompleteMessage)])
    }

    func testCloseBetweenResponses() {
        var parser = HTTPResponseParser()
        XCTAssertNil(parser.connectionClosed())
        var second = HTTPResponseParser()
        second.feed(Array("HTTP/1.1 204 No Content\r\n\r\n".utf8))
        guard case .head = second.next(), case .end = second.next() else { return XCTFail("expected 204") }
        XCTAssertNil(second.connectionClosed())
    }

    func testConnectionClosedBeforeDraining() {
        var parser = HTTPResponseParser()
        parser.feed(Array("HTTP/1.1 200 OK\r\n\r\nabc".utf8))
        guard case .head = parser.connectionClosed() else { return XCTFail("the buffered head comes first") }
        guard case .body(let body) = parser.next() else { return XCTFail("then the body") }
        XCTAssertEqual(text(body), "abc")
        guard case .end(nil) = parser.next() else { return XCTFail("then the end") }
        guard case .needMoreData = parser.next() else { return XCTFail("then nothing") }
    }

    func testStatusLines() {
        for line in ["HTTP/1.1 200 ", "HTTP/1.1 200"] {
            XCTAssertEqual(
                decodeResponses([line + "\r\nContent-Length: 0\r\n\r\n"]).first,
                head(200, ["Content-Length: 0"]), "empty reason")
        }
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 404 Not\tFound \u{80}\r\nContent-Length: 0\r\n\r\n"]).first,
            head(404, ["Content-Length: 0"]))
        for line in [
            "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 200OK", "HTTP/1.1  200 OK", "ICY 200 OK",
            "HTTP/1.1 099 Low", "HTTP/1.1 abc OK", "HTTP/1.1 200 O\u{1}K", "http/1.1 200 OK", "HTTP/1.1",
        ] {
            XCTAssertEqual(decodeResponses([line + "\r\n\r\n"]), [.error(.invalidStatusLine)], line.debugDescription)
        }
        XCTAssertEqual(decodeResponses(["HTTP/2.0 200 OK\r\n\r\n"]), [.error(.unsupportedVersion)])
        XCTAssertEqual(decodeResponses(["HTTP/1.1 200 OK\nX: y\r\n\r\n"]), [.error(.bareLineFeed)])
        XCTAssertEqual(decodeResponses(["HTTP/1.1 200 O\rK\r\n\r\n"]), [.error(.bareCarriageReturn)])
    }

    func testStatusLineTooLong() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 20)
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 200 OK12345\r\nContent-Length: 0\r\n\r\n"], limits: limits).first,
            head(200, ["Content-Length: 0"]))
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 200 OK123456\r\n\r\n"], limits: limits),
            [.error(.statusLineTooLong)])
    }

    func testFramingErrors() {
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"]),
            [.error(.contentLengthWithTransferEncoding)])
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"]),
            [.error(.duplicateContentLength)])
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n"]),
            [.error(.invalidContentLength)])
        XCTAssertEqual(
            decodeResponses(["HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"]),
            [.error(.unsupportedTransferEncoding)])
        XCTAssertEqual(decodeResponses(["HTTP/1.1 200 OK\r\nX : y\r\n\r\n"]), [.error(.invalidHeaderName)])
        XCTAssertEqual(decodeResponses(["HTTP/1.1 200 OK\r\nX: y\r\n z\r\n\r\n"]), [.error(.obsoleteLineFolding)])
    }

    func testPipelinedResponsesFollowTheMethodQueue() {
        let events = decodeResponses(
            [
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n",
            ],
            methods: [.GET, .HEAD, .GET])
        XCTAssertEqual(events.count, 8)
        XCTAssertEqual(events.filter { if case .end = $0 { true } else { false } }.count, 3)
        XCTAssertEqual(events.filter { if case .body = $0 { true } else { false } }, [.body("a"), .body("c")])
    }

    func testErrorPoisonsTheResponseParser() {
        var parser = HTTPResponseParser()
        parser.feed(Array("NOT HTTP\r\n".utf8))
        guard case .error(.invalidStatusLine) = parser.next() else { return XCTFail("expected error") }
        parser.feed(Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
        guard case .error(.invalidStatusLine) = parser.next() else { return XCTFail("parser recovered") }
        guard case .error(.invalidStatusLine) = parser.connectionClosed() else { return XCTFail("parser recovered") }
    }
}
