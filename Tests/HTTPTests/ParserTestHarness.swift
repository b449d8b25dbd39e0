import HTTP
import XCTest

/// A parser event in a form tests can compare: heads flattened to plain values, adjacent body
/// chunks merged (how a body is split is not part of the contract).
enum Decoded: Equatable, CustomStringConvertible {
    case head(DecodedHead)
    case body(String)
    case end(trailers: [String]?)
    case error(HTTPParseError)

    var description: String {
        switch self {
        case .head(let head): "head(\(head))"
        case .body(let body): "body(\(body.debugDescription))"
        case .end(let trailers): "end(\(trailers.map { "\($0)" } ?? "nil"))"
        case .error(let error): "error(\(error.code))"
        }
    }
}

/// A request or response head; `method`/`target` are empty for responses, `status` 0 for requests.
struct DecodedHead: Equatable, CustomStringConvertible {
    var method = ""
    var target = ""
    var status = 0
    var version: HTTPVersion
    /// `name: value` per field, in order.
    var headers: [String]
    var keepAlive: Bool
    var expectsContinue = false

    var description: String {
        "\(method) \(target) \(status == 0 ? "" : "\(status) ")\(version) \(headers) keepAlive=\(keepAlive)"
    }
}

extension Array where Element == Decoded {
    /// The heads, in order.
    var heads: [DecodedHead] {
        compactMap { if case .head(let head) = $0 { head } else { nil } }
    }

    /// The error the stream ended with, if any.
    var error: HTTPParseError? {
        if case .error(let error) = last { return error }
        return nil
    }
}

/// How the test input is cut into `feed` calls.
enum FeedMode: CaseIterable {
    case allAtOnce, perMessage, bytewise
}

/// Generous bound on `next()` calls per fed buffer; reaching it means the parser spins.
private let stepsPerFeed = 10_000

/// Feeds `messages` to a request parser in all three `FeedMode`s, asserts they produce the same
/// events (and that event order and poisoning rules hold), and returns those events.
/// `onHead` runs after each `.head`, e.g. to call `setBodyLimit`.
@discardableResult
func decodeRequests(
    _ messages: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits(),
    onHead: ((inout HTTPRequestParser, HTTPRequestHead) -> Void)? = nil,
    file: StaticString = #filePath, line: UInt = #line
) -> [Decoded] {
    let results = FeedMode.allCases.map { mode in
        var parser = HTTPRequestParser(limits: limits)
        var events: [Decoded] = []
        for chunk in chunks(messages, mode) where events.error == nil {
            parser.feed(chunk)
            drainRequests(&parser, into: &events, onHead: onHead, file: file, line: line)
        }
        if let error = events.error {
            parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
            for _ in 0..<3 {
                guard case .error(let again) = parser.next(), again == error else {
                    XCTFail("parser not poisoned after \(error.code)", file: file, line: line)
                    break
                }
            }
        }
        return (mode, events)
    }
    return assertSame(results, file: file, line: line)
}

@discardableResult
func decodeRequests(
    _ messages: String..., limits: HTTPParserLimits = HTTPParserLimits(),
    onHead: ((inout HTTPRequestParser, HTTPRequestHead) -> Void)? = nil,
    file: StaticString = #filePath, line: UInt = #line
) -> [Decoded] {
    decodeRequests(messages.map { Array($0.utf8) }, limits: limits, onHead: onHead, file: file, line: line)
}

/// Same as `decodeRequests` for responses. `methods` are announced with `expectResponse(to:)`
/// up front; with `close`, `connectionClosed()` is called after the input and its event kept.
@discardableResult
func decodeResponses(
    _ messages: [String], methods: [HTTPMethod] = [], close: Bool = false,
    limits: HTTPParserLimits? = nil,
    file: StaticString = #filePath, line: UInt = #line
) -> [Decoded] {
    let results = FeedMode.allCases.map { mode in
        var parser = limits.map { HTTPResponseParser(limits: $0) } ?? HTTPResponseParser()
        for method in methods { parser.expectResponse(to: method) }
        var events: [Decoded] = []
        for chunk in chunks(messages.map { Array($0.utf8) }, mode) where events.error == nil {
            parser.feed(chunk)
            drainResponses(&parser, into: &events, file: file, line: line)
        }
        if close, events.error == nil, let event = parser.connectionClosed().flatMap(decoded) {
            appendMerging(event, to: &events)
        }
        return (mode, events)
    }
    return assertSame(results, file: file, line: line)
}

private func chunks(_ messages: [[UInt8]], _ mode: FeedMode) -> [[UInt8]] {
    switch mode {
    case .allAtOnce: [messages.flatMap { $0 }]
    case .perMessage: messages
    case .bytewise: messages.flatMap { $0 }.map { [$0] }
    }
}

private func drainRequests(
    _ parser: inout HTTPRequestParser, into events: inout [Decoded],
    onHead: ((inout HTTPRequestParser, HTTPRequestHead) -> Void)?,
    file: StaticString, line: UInt
) {
    for _ in 0..<stepsPerFeed {
        let event = parser.next()
        guard let decoded = decoded(event) else { return }
        appendMerging(decoded, to: &events)
        switch event {
        case .head(let head):
            XCTAssertTrue(parser.isReadingBody, "isReadingBody after head", file: file, line: line)
            onHead?(&parser, head)
        case .body(let bytes):
            XCTAssertFalse(bytes.isEmpty, "empty body event", file: file, line: line)
        case .end:
            XCTAssertFalse(parser.isReadingBody, "isReadingBody after end", file: file, line: line)
        case .error:
            return
        case .needMoreData:
            break
        }
    }
    XCTFail("next() did not return needMoreData within \(stepsPerFeed) calls", file: file, line: line)
}

private func drainResponses(
    _ parser: inout HTTPResponseParser, into events: inout [Decoded],
    file: StaticString, line: UInt
) {
    for _ in 0..<stepsPerFeed {
        let event = parser.next()
        guard let decoded = decoded(event) else { return }
        if case .body(let bytes) = event { XCTAssertFalse(bytes.isEmpty, "empty body event", file: file, line: line) }
        appendMerging(decoded, to: &events)
        if case .error = event { return }
    }
    XCTFail("next() did not return needMoreData within \(stepsPerFeed) calls", file: file, line: line)
}

/// The comparable form of a request parser event; nil for `.needMoreData`.
func decoded(_ event: HTTPRequestParser.Event) -> Decoded? {
    switch event {
    case .head(let head):
        .head(
            DecodedHead(
                method: head.method.rawValue, target: head.target, version: head.version,
                headers: fields(head.headers), keepAlive: head.keepAlive,
                expectsContinue: head.expectsContinue))
    case .body(let bytes): .body(text(bytes))
    case .end(let trailers): .end(trailers: trailers.map(fields))
    case .error(let error): .error(error)
    case .needMoreData: nil
    }
}

/// The comparable form of a response parser event; nil for `.needMoreData`.
func decoded(_ event: HTTPResponseParser.Event) -> Decoded? {
    switch event {
    case .head(let head):
        .head(
            DecodedHead(
                status: head.status.code, version: head.version, headers: fields(head.headers),
                keepAlive: head.keepAlive))
    case .body(let bytes): .body(text(bytes))
    case .end(let trailers): .end(trailers: trailers.map(fields))
    case .error(let error): .error(error)
    case .needMoreData: nil
    }
}

private func fields(_ headers: HTTPHeaders) -> [String] {
    headers.map { "\($0.name): \($0.value)" }
}

/// Body bytes as text; tests use ASCII bodies (non-UTF-8 would show as U+FFFD).
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Appends, merging adjacent body chunks.
func appendMerging(_ event: Decoded, to events: inout [Decoded]) {
    if case .body(let more) = event, case .body(let previous) = events.last {
        events[events.count - 1] = .body(previous + more)
    } else {
        events.append(event)
    }
}

private func assertSame(_ results: [(FeedMode, [Decoded])], file: StaticString, line: UInt) -> [Decoded] {
    let reference = results[0].1
    for (mode, events) in results.dropFirst() where events != reference {
        XCTFail("\(mode) gave \(events)\nallAtOnce gave \(reference)", file: file, line: line)
    }
    assertWellOrdered(reference, file: file, line: line)
    return reference
}

/// head, body*, end per message; nothing after an error.
private func assertWellOrdered(_ events: [Decoded], file: StaticString, line: UInt) {
    var inMessage = false
    for (index, event) in events.enumerated() {
        switch event {
        case .head:
            XCTAssertFalse(inMessage, "head inside a message at \(index)", file: file, line: line)
            inMessage = true
        case .body:
            XCTAssertTrue(inMessage, "body outside a message at \(index)", file: file, line: line)
        case .end:
            XCTAssertTrue(inMessage, "end outside a message at \(index)", file: file, line: line)
            inMessage = false
        case .error:
            XCTAssertEqual(index, events.count - 1, "events after an error", file: file, line: line)
        }
    }
}

/// A request head with the given extra field lines (each without CRLF).
func request(_ requestLine: String = "GET / HTTP/1.1", _ fields: String..., body: String = "") -> String {
    ([requestLine] + fields).map { $0 + "\r\n" }.joined() + "\r\n" + body
}
