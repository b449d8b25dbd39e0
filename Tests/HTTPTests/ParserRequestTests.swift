import HTTP
import XCTest

/// Request lines, line endings, pipelining and the parser's public state.
final class ParserRequestTests: XCTestCase {
    func testSimpleGet() {
        let events = decodeRequests(
            request(
                "GET /v1/payments?limit=10 HTTP/1.1", "Host: api.coffer.test",
                "Accept:  application/json \t"))
        XCTAssertEqual(
            events,
            [
                .head(
                    DecodedHead(
                        method: "GET", target: "/v1/payments?limit=10", version: .http1_1,
                        headers: ["Host: api.coffer.test", "Accept: application/json"], keepAlive: true)),
                .end(trailers: nil),
            ])
    }

    func testPipelinedGetPostAndChunkedPost() {
        let get = request("GET /a HTTP/1.1", "Host: h")
        let post = request("POST /b HTTP/1.1", "Host: h", "Content-Length: 5", body: "hello")
        let chunked = request(
            "POST /c HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
            body: "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        let events = decodeRequests(get, post, chunked)
        XCTAssertEqual(events.heads.map(\.target), ["/a", "/b", "/c"])
        XCTAssertEqual(events.heads.map(\.method), ["GET", "POST", "POST"])
        guard events.count == 8 else { return XCTFail("\(events)") }
        XCTAssertEqual(Array(events[1...1]), [.end(trailers: nil)])
        XCTAssertEqual(Array(events[3...4]), [.body("hello"), .end(trailers: nil)])
        XCTAssertEqual(Array(events[6...7]), [.body("abcde"), .end(trailers: nil)])
    }

    func testMethodsAndTargets() {
        for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "M-SEARCH"] {
            XCTAssertEqual(decodeRequests(request("\(method) / HTTP/1.1", "Host: h")).heads.first?.method, method)
        }
        let target = "/p/a%20b;x=1?q=\"<{|}>\"&r=~!$&'()*+,;=:@#frag"
        XCTAssertEqual(decodeRequests(request("GET \(target) HTTP/1.1", "Host: h")).heads.first?.target, target)
        XCTAssertEqual(decodeRequests(request("OPTIONS * HTTP/1.1", "Host: h")).heads.first?.target, "*")
    }

    func testMalformedRequestLines() {
        let lines = [
            "GARBAGE", "GET /", "GET / HTTP/1.1 ", " GET / HTTP/1.1", "GET  / HTTP/1.1", "GET /  HTTP/1.1",
            "GET\t/ HTTP/1.1", "GET / http/1.1", "GET / HTTP/1", "GET / HTTP/1.10", "GET / HTTP/11.1",
            "GET / HTTP/a.b", "GE(T / HTTP/1.1", "GET /\u{7F} HTTP/1.1", "GET /é HTTP/1.1", "GET HTTP/1.1",
            "/ HTTP/1.1", "GET / FOO/1.1", "\u{0}GET / HTTP/1.1",
        ]
        for line in lines {
            let events = decodeRequests(request(line, "Host: h"))
            XCTAssertEqual(events, [.error(.invalidRequestLine)], "\(line.debugDescription)")
        }
    }

    func testUnsupportedVersions() {
        for version in ["HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTP/3.0", "HTTP/9.9"] {
            let events = decodeRequests(request("GET / \(version)", "Host: h"))
            XCTAssertEqual(events, [.error(.unsupportedVersion)], version)
            XCTAssertEqual(events.error?.status, 505)
        }
        // The version is rejected as soon as the request line is complete, before any header.
        var parser = HTTPRequestParser()
        parser.feed(Array("GET / HTTP/2.0\r\n".utf8))
        guard case .error(.unsupportedVersion) = parser.next() else { return XCTFail("expected 505") }
    }

    func testHTTP10NeedsNoHost() {
        let events = decodeRequests(request("GET / HTTP/1.0"))
        XCTAssertEqual(events.heads.first?.version, .http1_0)
        XCTAssertEqual(events.last, .end(trailers: nil))
    }

    func testLeadingEmptyLinesAreIgnored() {
        let events = decodeRequests("\r\n\r\n", request("GET / HTTP/1.1", "Host: h"))
        XCTAssertEqual(events.heads.count, 1)
        // Also between pipelined requests (some clients add CRLF after a body).
        let post = request("POST / HTTP/1.1", "Host: h", "Content-Length: 1", body: "x") + "\r\n"
        XCTAssertEqual(decodeRequests(post, request("GET /2 HTTP/1.1", "Host: h")).heads.count, 2)
    }

    func testTooManyLeadingEmptyLines() {
        let events = decodeRequests(String(repeating: "\r\n", count: 9), request("GET / HTTP/1.1", "Host: h"))
        XCTAssertEqual(events, [.error(.invalidRequestLine)])
        XCTAssertEqual(
            decodeRequests(String(repeating: "\r\n", count: 8), request("GET / HTTP/1.1", "Host: h"))
                .heads.count, 1)
    }

    func testBareLineFeedAnywhereInTheHead() {
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\nHost: h\r\n\r\n"), [.error(.bareLineFeed)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHost: h\n\r\n"), [.error(.bareLineFeed)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHost: h\r\n\n"), [.error(.bareLineFeed)])
        XCTAssertEqual(decodeRequests("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), [.error(.bareLineFeed)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHost: h\r\nX: a\nY: b\r\n\r\n"), [.error(.bareLineFeed)])
    }

    func testBareCarriageReturnAnywhereInTheHead() {
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\rHost: h\r\n\r\n"), [.error(.bareCarriageReturn)])
        XCTAssertEqual(decodeRequests("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n"), [.error(.bareCarriageReturn)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n"), [.error(.bareCarriageReturn)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), [.error(.bareCarriageReturn)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHost: h\r\r\n\r\n"), [.error(.bareCarriageReturn)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHo\rst: h\r\n\r\n"), [.error(.bareCarriageReturn)])
        XCTAssertEqual(decodeRequests("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"), [.error(.bareCarriageReturn)])
    }

    func testKeepAliveAndExpectContinue() {
        func head(_ requestLine: String, _ fields: String...) -> DecodedHead? {
            let message = ([requestLine, "Host: h"] + fields).map { $0 + "\r\n" }.joined() + "\r\n"
            return decodeRequests(message).heads.first
        }
        XCTAssertEqual(head("GET / HTTP/1.1")?.keepAlive, true)
        XCTAssertEqual(head("GET / HTTP/1.1", "Connection: close")?.keepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.1", "Connection: Upgrade, Close")?.keepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.0")?.keepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.0", "Connection: keep-alive")?.keepAlive, true)
        XCTAssertEqual(head("GET / HTTP/1.1")?.expectsContinue, false)
        XCTAssertEqual(head("POST / HTTP/1.1", "Expect: 100-continue", "Content-Length: 0")?.expectsContinue, true)
        XCTAssertEqual(head("POST / HTTP/1.1", "Expect: 100-Continue", "Content-Length: 0")?.expectsContinue, true)
    }

    func testErrorPoisonsTheParser() {
        var parser = HTTPRequestParser()
        parser.feed(Array("BAD\r\n".utf8))
        guard case .error(let first) = parser.next() else { return XCTFail("expected an error") }
        parser.feed(Array(request("GET / HTTP/1.1", "Host: h").utf8))
        for _ in 0..<3 {
            guard case .error(let again) = parser.next() else { return XCTFail("parser recovered") }
            XCTAssertEqual(again, first)
        }
        XCTAssertEqual(parser.bufferedByteCount, 0, "bytes after an error are dropped")
        XCTAssertFalse(parser.hasPartialRequest)
    }

    func testPublicState() {
        var parser = HTTPRequestParser()
        XCTAssertFalse(parser.hasPartialRequest)
        XCTAssertFalse(parser.isReadingBody)
        guard case .needMoreData = parser.next() else { return XCTFail("empty parser has no event") }

        parser.feed(Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n".utf8))
        guard case .needMoreData = parser.next() else { return XCTFail("head is incomplete") }
        XCTAssertTrue(parser.hasPartialRequest)
        XCTAssertFalse(parser.isReadingBody)

        parser.feed(Array("\r\nab".utf8))
        guard case .head = parser.next() else { return XCTFail("expected head") }
        XCTAssertTrue(parser.isReadingBody)
        XCTAssertTrue(parser.hasPartialRequest)
        XCTAssertEqual(parser.bufferedByteCount, 2)
        guard case .body(let body) = parser.next() else { return XCTFail("expected body") }
        XCTAssertEqual(text(body), "ab")
        XCTAssertEqual(parser.bufferedByteCount, 0)
        guard case .needMoreData = parser.next() else { return XCTFail("body is incomplete") }

        parser.feed(Array("cGET".utf8))
        guard case .body(let rest) = parser.next() else { return XCTFail("expected body") }
        XCTAssertEqual(text(rest), "c")
        guard case .end(nil) = parser.next() else { return XCTFail("expected end") }
        XCTAssertFalse(parser.isReadingBody)
        XCTAssertTrue(parser.hasPartialRequest, "the next request's bytes are buffered")
        XCTAssertEqual(parser.bufferedByteCount, 3)
    }

    func testLeadingEmptyLineCountsAsPartialRequest() {
        var parser = HTTPRequestParser()
        parser.feed(Array("\r\n".utf8))
        guard case .needMoreData = parser.next() else { return XCTFail("expected needMoreData") }
        XCTAssertEqual(parser.bufferedByteCount, 0)
        XCTAssertTrue(parser.hasPartialRequest, "so a CRLF trickle cannot dodge the header deadline")
    }

    func testFeedFromRawBuffer() {
        var parser = HTTPRequestParser()
        let bytes = Array(request("GET /raw HTTP/1.1", "Host: h").utf8)
        bytes.withUnsafeBytes { parser.feed($0) }
        guard case .head(let head) = parser.next() else { return XCTFail("expected head") }
        XCTAssertEqual(head.target, "/raw")
        XCTAssertEqual(head.path, "/raw")
    }

    func testManyPipelinedRequestsSplitAcrossFeeds() {
        var parser = HTTPRequestParser()
        let one = Array(request("POST /p HTTP/1.1", "Host: h", "Content-Length: 10", body: "0123456789").utf8)
        var completed = 0
        for _ in 0..<2_000 {
            parser.feed(one + one.prefix(7))
            parser.feed(Array(one.dropFirst(7)))
            loop: while true {
                switch parser.next() {
                case .end: completed += 1
                case .needMoreData: break loop
                case .error(let error): return XCTFail("\(error)")
                default: continue
                }
            }
        }
        XCTAssertEqual(completed, 4_000)
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }
}
