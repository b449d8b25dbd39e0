import HTTP
import XCTest

/// The error type's stable surface: codes, statuses and descriptions.
final class ParserErrorTests: XCTestCase {
    private let all: [HTTPParseError] = [
        .invalidRequestLine, .uriTooLong, .unsupportedVersion, .headerFieldsTooLarge, .tooManyHeaders,
        .invalidHeaderName, .invalidHeaderValue, .obsoleteLineFolding, .bareLineFeed, .bareCarriageReturn,
        .missingHost, .duplicateHost, .contentLengthWithTransferEncoding, .invalidContentLength,
        .duplicateContentLength, .unsupportedTransferEncoding, .transferEncodingInHTTP10, .bodyTooLarge,
        .invalidChunkSize, .invalidChunkTerminator, .chunkExtensionTooLong, .invalidTrailer, .invalidStatusLine,
        .statusLineTooLong, .incompleteMessage,
    ]

    func testCodesAreUniqueSnakeCase() {
        XCTAssertEqual(Set(all.map(\.code)).count, all.count)
        XCTAssertEqual(Set(all).count, all.count)
        for error in all {
            XCTAssertTrue(error.code.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, error.code)
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    func testStatuses() {
        XCTAssertEqual(HTTPParseError.uriTooLong.status, .uriTooLong)
        XCTAssertEqual(HTTPParseError.headerFieldsTooLarge.status, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(HTTPParseError.tooManyHeaders.status, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(HTTPParseError.bodyTooLarge.status, .payloadTooLarge)
        XCTAssertEqual(HTTPParseError.unsupportedTransferEncoding.status, .notImplemented)
        XCTAssertEqual(HTTPParseError.unsupportedVersion.status, .httpVersionNotSupported)
        let special: Set<HTTPParseError> = [
            .uriTooLong, .headerFieldsTooLarge, .tooManyHeaders, .bodyTooLarge,
            .unsupportedTransferEncoding, .unsupportedVersion,
        ]
        for error in all where !special.contains(error) {
            XCTAssertEqual(error.status, .badRequest, error.code)
        }
    }

    func testDescriptionNeverEchoesInput() {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET /<script>secret HTTP/1.1\r\nHost: h\r\nX-Token: s3cr3t\u{1}\r\n\r\n".utf8))
        guard case .error(let error) = parser.next() else { return XCTFail("expected an error") }
        XCTAssertEqual(error, .invalidHeaderValue)
        XCTAssertFalse(error.description.contains("s3cr3t"))
        XCTAssertEqual("\(error)", "invalid header field value")
    }
}
