import HTTP
import XCTest

/// Field-line syntax: names, values, folding, Host.
final class ParserHeaderTests: XCTestCase {
    private let tokenChars = Set(
        Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))

    func testEveryByteInAHeaderName() {
        for byte in UInt8.min...UInt8.max {
            let message = Array("GET / HTTP/1.1\r\nHost: h\r\nX".utf8) + [byte] + Array("Y: v\r\n\r\n".utf8)
            let events = decodeRequests([message])
            let name = "byte \(byte)"
            if tokenChars.contains(byte) {
                XCTAssertEqual(events.heads.first?.headers.last, "X\(Character(Unicode.Scalar(byte)))Y: v", name)
            } else if byte == UInt8(ascii: ":") {
                XCTAssertEqual(events.heads.first?.headers.last, "X: Y: v", name)
            } else if byte == 0x0A {
                XCTAssertEqual(events, [.error(.bareLineFeed)], name)
            } else if byte == 0x0D {
                XCTAssertEqual(events, [.error(.bareCarriageReturn)], name)
            } else {
                XCTAssertEqual(events, [.error(.invalidHeaderName)], name)
            }
        }
    }

    func testEveryByteInAHeaderValue() {
        for byte in UInt8.min...UInt8.max {
            let message = Array("GET / HTTP/1.1\r\nHost: h\r\nX: a".utf8) + [byte] + Array("b\r\n\r\n".utf8)
            let events = decodeRequests([message])
            let name = "byte \(byte)"
            switch byte {
            case 0x09, 0x20...0x7E:
                XCTAssertEqual(events.heads.first?.headers.last, "X: a\(Character(Unicode.Scalar(byte)))b", name)
            case 0x80...0xFF:
                // obs-text is accepted; lone bytes are not UTF-8 and decode as U+FFFD.
                XCTAssertEqual(events.heads.first?.headers.last, "X: a\u{FFFD}b", name)
            case 0x0A:
                XCTAssertEqual(events, [.error(.bareLineFeed)], name)
            case 0x0D:
                XCTAssertEqual(events, [.error(.bareCarriageReturn)], name)
            default:
                XCTAssertEqual(events, [.error(.invalidHeaderValue)], name)
            }
        }
    }

    func testUTF8InValuesIsKept() {
        let events = decodeRequests(request("GET / HTTP/1.1", "Host: h", "X-Name: Zoë 東京"))
        XCTAssertEqual(events.heads.first?.headers.last, "X-Name: Zoë 東京")
    }

    func testValueWhitespaceIsTrimmed() {
        let events = decodeRequests(request("GET / HTTP/1.1", "Host: h", "A:\t x y \t", "B:", "C:   ", "D:x"))
        XCTAssertEqual(events.heads.first?.headers, ["Host: h", "A: x y", "B: ", "C: ", "D: x"])
    }

    func testNamesKeepTheirCaseAndOrder() {
        let events = decodeRequests(request("GET / HTTP/1.1", "x-B: 1", "HOST: h", "X-b: 2"))
        XCTAssertEqual(events.heads.first?.headers, ["x-B: 1", "HOST: h", "X-b: 2"])
    }

    func testWhitespaceBeforeColonIsRejected() {
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host : h")), [.error(.invalidHeaderName)])
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host: h", "X\t: y")), [.error(.invalidHeaderName)])
    }

    func testEmptyOrMissingName() {
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host: h", ": v")), [.error(.invalidHeaderName)])
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host: h", "NoColon")), [.error(.invalidHeaderName)])
    }

    func testObsoleteLineFolding() {
        for fold in [" continued", "\tcontinued", " "] {
            XCTAssertEqual(
                decodeRequests(request("GET / HTTP/1.1", "Host: h", "X: a", fold)),
                [.error(.obsoleteLineFolding)], fold.debugDescription)
        }
        // A fold right after the request line is no better.
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", " Host: h")), [.error(.obsoleteLineFolding)])
    }

    func testMissingHost() {
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "X: y")), [.error(.missingHost)])
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1")), [.error(.missingHost)])
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Hosts: h")), [.error(.missingHost)])
    }

    func testDuplicateHost() {
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host: a", "host: b")), [.error(.duplicateHost)])
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host: a", "Host: a")), [.error(.duplicateHost)])
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.0", "Host: a", "Host: b")), [.error(.duplicateHost)])
    }

    func testEmptyHostIsPresent() {
        // RFC 9112 §3.2 allows an empty Host when the target has no authority.
        XCTAssertEqual(decodeRequests(request("GET / HTTP/1.1", "Host:")).heads.first?.headers, ["Host: "])
    }

    func testHeadersLookupThroughHTTPHeaders() {
        var parser = HTTPRequestParser()
        parser.feed(Array(request("GET / HTTP/1.1", "Host: h", "X-Id: 1", "x-id: 2").utf8))
        guard case .head(let head) = parser.next() else { return XCTFail("expected head") }
        XCTAssertEqual(head.headers["X-ID"], "1")
        XCTAssertEqual(head.headers.values("x-Id"), ["1", "2"])
    }
}
