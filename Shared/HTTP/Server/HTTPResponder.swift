/// What the server calls for each complete request. The router implements it.
public protocol HTTPResponder: Sendable {
    /// Never throws: errors are turned into responses by the layers above.
    func respond(to request: HTTPRequest) async -> HTTPResponse
    /// A route's own body limit (nil: the server's default), asked once the head is parsed so an
    /// oversized body is refused with 413 before it is read.
    func bodyLimit(for head: HTTPRequestHead) -> Int?
    /// The server refused a request itself (parse error, oversized body, deadline), so no handler
    /// ran; lets the layers above log it. Must not block.
    func requestRefused(_ refusal: RequestRefusal)
    /// Whether `head`'s route checks requests before their body is read (cheap, synchronous).
    func needsAdmission(_ head: HTTPRequestHead) -> Bool
    /// The check itself, once the head is parsed and before any body byte is consumed.
    func admit(_ head: HTTPRequestHead, peerAddress: String) async -> RequestAdmission
}

extension HTTPResponder {
    public func bodyLimit(for head: HTTPRequestHead) -> Int? { nil }
    public func requestRefused(_ refusal: RequestRefusal) {}
    public func needsAdmission(_ head: HTTPRequestHead) -> Bool { false }
    public func admit(_ head: HTTPRequestHead, peerAddress: String) async -> RequestAdmission { .proceed(carry: nil) }
}

/// A request the server answered without a handler.
public struct RequestRefusal: Sendable {
    /// The head, when it was read before the refusal (413, body timeouts).
    public let head: HTTPRequestHead?
    public let status: HTTPStatus
    public let code: String
    public let peerAddress: String
    public let receivedBytes: Int
}
