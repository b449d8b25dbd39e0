/// Why a request or response could not be parsed, with the status a server should answer.
///
/// A struct over a private enum so that cases can be added without breaking callers' `switch`es.
/// `description` is fixed text and never echoes bytes from the peer, so it is safe to log.
public struct HTTPParseError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case invalidRequestLine, uriTooLong, unsupportedVersion
        case headerFieldsTooLarge, tooManyHeaders, invalidHeaderName, invalidHeaderValue, obsoleteLineFolding
        case bareLineFeed, bareCarriageReturn
        case missingHost, duplicateHost
        case contentLengthWithTransferEncoding, invalidContentLength, duplicateContentLength
        case unsupportedTransferEncoding, transferEncodingInHTTP10
        case bodyTooLarge
        case invalidChunkSize, invalidChunkTerminator, chunkExtensionTooLong, invalidTrailer
        case invalidStatusLine, statusLineTooLong, incompleteMessage
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// The request line is not `method SP target SP HTTP/d.d`.
    public static let invalidRequestLine = HTTPParseError(.invalidRequestLine)
    /// The request line is longer than `maxRequestLineBytes`.
    public static let uriTooLong = HTTPParseError(.uriTooLong)
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1.
    public static let unsupportedVersion = HTTPParseError(.unsupportedVersion)
    /// The header (or trailer) block is longer than `maxHeaderBytes`.
    public static let headerFieldsTooLarge = HTTPParseError(.headerFieldsTooLarge)
    /// More than `maxHeaderCount` header (or trailer) fields.
    public static let tooManyHeaders = HTTPParseError(.tooManyHeaders)
    /// A field name that is empty, not a token, or followed by whitespace before the colon.
    public static let invalidHeaderName = HTTPParseError(.invalidHeaderName)
    /// A field value containing a control byte.
    public static let invalidHeaderValue = HTTPParseError(.invalidHeaderValue)
    /// A field line starting with whitespace (obs-fold), rejected by RFC 9112 §5.2.
    public static let obsoleteLineFolding = HTTPParseError(.obsoleteLineFolding)
    /// A LF not preceded by CR.
    public static let bareLineFeed = HTTPParseError(.bareLineFeed)
    /// A CR not followed by LF.
    public static let bareCarriageReturn = HTTPParseError(.bareCarriageReturn)
    /// An HTTP/1.1 request without a Host field.
    public static let missingHost = HTTPParseError(.missingHost)
    /// A request with more than one Host field.
    public static let duplicateHost = HTTPParseError(.duplicateHost)
    /// Both Content-Length and Transfer-Encoding: the classic request-smuggling shape.
    public static let contentLengthWithTransferEncoding = HTTPParseError(.contentLengthWithTransferEncoding)
    /// Content-Length that is not 1+ ASCII digits or does not fit in an `Int`.
    public static let invalidContentLength = HTTPParseError(.invalidContentLength)
    /// Content-Length sent more than once, even with equal values.
    public static let duplicateContentLength = HTTPParseError(.duplicateContentLength)
    /// Transfer-Encoding other than exactly `chunked`.
    public static let unsupportedTransferEncoding = HTTPParseError(.unsupportedTransferEncoding)
    /// Transfer-Encoding on an HTTP/1.0 message, whose framing it cannot define (RFC 9112 §6.1).
    public static let transferEncodingInHTTP10 = HTTPParseError(.transferEncodingInHTTP10)
    /// The body is larger than the current body limit.
    public static let bodyTooLarge = HTTPParseError(.bodyTooLarge)
    /// A chunk-size that is empty, not hex, or overflows.
    public static let invalidChunkSize = HTTPParseError(.invalidChunkSize)
    /// Chunk data not followed by CRLF.
    public static let invalidChunkTerminator = HTTPParseError(.invalidChunkTerminator)
    /// A chunk-size line (size plus extensions) longer than 4 KiB.
    public static let chunkExtensionTooLong = HTTPParseError(.chunkExtensionTooLong)
    /// A malformed trailer field.
    public static let invalidTrailer = HTTPParseError(.invalidTrailer)
    /// The status line is not `HTTP/1.x SP 3DIGIT SP reason`.
    public static let invalidStatusLine = HTTPParseError(.invalidStatusLine)
    /// The status line is longer than `maxRequestLineBytes`.
    public static let statusLineTooLong = HTTPParseError(.statusLineTooLong)
    /// The connection closed in the middle of a response.
    public static let incompleteMessage = HTTPParseError(.incompleteMessage)

    /// The status a server should answer with before closing the connection.
    public var status: HTTPStatus {
        switch kind {
        case .uriTooLong: .uriTooLong
        case .headerFieldsTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .payloadTooLarge
        case .unsupportedTransferEncoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        default: .badRequest
        }
    }

    /// A stable snake_case code for logs, metrics and error bodies.
    public var code: String {
        switch kind {
        case .invalidRequestLine: "invalid_request_line"
        case .uriTooLong: "uri_too_long"
        case .unsupportedVersion: "unsupported_version"
        case .headerFieldsTooLarge: "header_fields_too_large"
        case .tooManyHeaders: "too_many_headers"
        case .invalidHeaderName: "invalid_header_name"
        case .invalidHeaderValue: "invalid_header_value"
        case .obsoleteLineFolding: "obsolete_line_folding"
        case .bareLineFeed: "bare_line_feed"
        case .bareCarriageReturn: "bare_carriage_return"
        case .missingHost: "missing_host"
        case .duplicateHost: "duplicate_host"
        case .contentLengthWithTransferEncoding: "content_length_with_transfer_encoding"
        case .invalidContentLength: "invalid_content_length"
        case .duplicateContentLength: "duplicate_content_length"
        case .unsupportedTransferEncoding: "unsupported_transfer_encoding"
        case .transferEncodingInHTTP10: "transfer_encoding_in_http10"
        case .bodyTooLarge: "body_too_large"
        case .invalidChunkSize: "invalid_chunk_size"
        case .invalidChunkTerminator: "invalid_chunk_terminator"
        case .chunkExtensionTooLong: "chunk_extension_too_long"
        case .invalidTrailer: "invalid_trailer"
        case .invalidStatusLine: "invalid_status_line"
        case .statusLineTooLong: "status_line_too_long"
        case .incompleteMessage: "incomplete_message"
        }
    }

    public var description: String {
        switch kind {
        case .invalidRequestLine: "malformed request line"
        case .uriTooLong: "request line too long"
        case .unsupportedVersion: "HTTP version not supported"
        case .headerFieldsTooLarge: "header section too large"
        case .tooManyHeaders: "too many header fields"
        case .invalidHeaderName: "invalid header field name"
        case .invalidHeaderValue: "invalid header field value"
        case .obsoleteLineFolding: "obsolete line folding in header section"
        case .bareLineFeed: "line feed without carriage return"
        case .bareCarriageReturn: "carriage return without line feed"
        case .missingHost: "HTTP/1.1 request without Host"
        case .duplicateHost: "more than one Host field"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .invalidContentLength: "invalid Content-Length"
        case .duplicateContentLength: "more than one Content-Length field"
        case .unsupportedTransferEncoding: "Transfer-Encoding other than chunked"
        case .transferEncodingInHTTP10: "Transfer-Encoding on an HTTP/1.0 message"
        case .bodyTooLarge: "body too large"
        case .invalidChunkSize: "invalid chunk size"
        case .invalidChunkTerminator: "chunk data not followed by CRLF"
        case .chunkExtensionTooLong: "chunk size line too long"
        case .invalidTrailer: "invalid trailer field"
        case .invalidStatusLine: "malformed status line"
        case .statusLineTooLong: "status line too long"
        case .incompleteMessage: "connection closed before the message was complete"
        }
    }
}
