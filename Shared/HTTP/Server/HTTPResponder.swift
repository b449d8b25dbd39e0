/// What the server calls for each complete request. The router implements it.
public protocol HTTPResponder: Sendable {
    /// Never throws: errors are turned into responses by the layers above.
    func respond(to request: HTTPRequest) async -> HTTPResponse
    /// A route's own body limit (nil: the server's default), asked once the head is parsed so an
    /// oversized body is refused with 413 before it is read.
    func bodyLimit(for head: HTTPRequestHead) -> Int?
}

extension HTTPResponder {
    public func bodyLimit(for head: HTTPRequestHead) -> Int? { nil }
}
