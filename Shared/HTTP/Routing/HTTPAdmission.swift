/// A check that runs on a request's head, before its body is read: authentication by API key, operator
/// token or internal signature. A refusal (a thrown `HTTPError`) is answered at once and the body is
/// never read, so an unauthenticated client cannot make a service buffer megabytes or run a handler.
/// What an admission learns (the key, the operator) it stores in the context the handler then gets.
public protocol HTTPAdmission: Sendable {
    func admit(_ head: HTTPRequestHead, context: inout RequestContext) async throws
}

/// What the responder decided about a request's head.
public enum RequestAdmission: Sendable {
    /// Read the body and handle the request; `carry` travels with it (the admitted context).
    case proceed(carry: (any Sendable)?)
    /// Answer with this and close without reading the body.
    case refuse(HTTPResponse)
}
