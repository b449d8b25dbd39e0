// TEMPORARY: a minimal stand-in for the real parser (being written on branch `parser`).
// Deleted when that branch merges.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var description: String
    public static let invalidRequestLine = HTTPParseError(status: 400, code: "invalid_request_line", description: "bad")
    public static let bodyTooLarge = HTTPParseError(status: 413, code: "body_too_large", description: "too large")
    public static let incompleteMessage = HTTPParseError(status: 400, code: "incomplete_message", description: "incomplete")
}

public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable { case head(HTTPRequestHead), body([UInt8]), end(trailers: HTTPHeaders?), needMoreData, error(HTTPParseError) }
    var buffer: [UInt8] = []
    var remaining = -1
    var limit: Int
    var error: HTTPParseError?
    public init(limits: HTTPParserLimits = HTTPParserLimits()) { limit = limits.maxBodyBytes }
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }
    public mutating func feed(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }
    public mutating func setBodyLimit(_ maxBytes: Int) { limit = maxBytes }
    public var hasPartialRequest: Bool { remaining < 0 && !buffer.isEmpty }
    public var isReadingBody: Bool { remaining >= 0 }
    public var bufferedByteCount: Int { buffer.count }
    public mutating func next() -> Event {
        if let error { return .error(error) }
        if remaining >= 0 {
            if remaining > limit { error = .bodyTooLarge; return .error(.bodyTooLarge) }
            if remaining == 0 { remaining = -1; return .end(trailers: nil) }
            if buffer.isEmpty { return .needMoreData }
            let take = min(remaining, buffer.count)
            let chunk = Array(buffer[0..<take]); buffer.removeFirst(take); remaining -= take
            return .body(chunk)
        }
        guard let end = find() else { return .needMoreData }
        let text = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        var lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { error = .invalidRequestLine; return .error(.invalidRequestLine) }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { error = .invalidRequestLine; return .error(.invalidRequestLine) }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        remaining = Int(headers["Content-Length"] ?? "0") ?? 0
        let version: HTTPVersion = requestLine[2] == "HTTP/1.0" ? .http1_0 : .http1_1
        return .head(HTTPRequestHead(method: HTTPMethod(String(requestLine[0])), target: String(requestLine[1]), version: version, headers: headers))
    }
    func find() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i+1] == 10 && buffer[i+2] == 13 && buffer[i+3] == 10 { return i }
        return nil
    }
}

public struct HTTPResponseParser: Sendable {
    public enum Event: Sendable { case head(HTTPResponseHead), body([UInt8]), end(trailers: HTTPHeaders?), needMoreData, error(HTTPParseError) }
    var buffer: [UInt8] = []
    var remaining = -1
    var untilClose = false
    var headOnly = false
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {}
    public mutating func expectResponse(to method: HTTPMethod) { headOnly = method == .HEAD }
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }
    public mutating func feed(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }
    public mutating func connectionClosed() -> Event? {
        if untilClose { untilClose = false; remaining = -1; let b = buffer; buffer = []; _ = b; return .end(trailers: nil) }
        return remaining >= 0 ? .error(.incompleteMessage) : nil
    }
    public mutating func next() -> Event {
        if untilClose { if buffer.isEmpty { return .needMoreData }; let b = buffer; buffer = []; return .body(b) }
        if remaining >= 0 {
            if remaining == 0 { remaining = -1; return .end(trailers: nil) }
            if buffer.isEmpty { return .needMoreData }
            let take = min(remaining, buffer.count)
            let chunk = Array(buffer[0..<take]); buffer.removeFirst(take); remaining -= take
            return .body(chunk)
        }
        guard buffer.count >= 4 else { return .needMoreData }
        var end: Int? = nil
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i+1] == 10 && buffer[i+2] == 13 && buffer[i+3] == 10 { end = i; break }
        guard let end else { return .needMoreData }
        let text = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        let status = HTTPStatus(Int(statusLine[1]) ?? 500)
        if headOnly || status.code == 204 || status.code == 304 { remaining = 0 }
        else if let cl = headers["Content-Length"].flatMap({ Int($0) }) { remaining = cl } else { untilClose = true }
        return .head(HTTPResponseHead(status: status, headers: headers))
    }
}
import Foundation
