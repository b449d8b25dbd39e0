import Shared

/// Per-request state handed to middleware and handlers: ids for tracing, the logger carrying them,
/// the client's address, path parameters, and typed values middleware attaches (the authenticated
/// key, the tenant).
public struct RequestContext: Sendable {
    public var logger: Logger
    /// Unique to this request; returned as `X-Request-ID` and in error bodies.
    public let requestID: String
    /// Shared by every request and event of one operation across services (`X-Correlation-ID`).
    public let correlationID: String
    /// W3C trace context, passed through unchanged.
    public let traceparent: String?
    /// The client's IP: the socket peer, or the `X-Forwarded-For` entry a trusted proxy vouches for.
    public let clientIP: String
    public internal(set) var parameters: [String: String]
    public internal(set) var routeTemplate: String
    /// Added to whatever response the request gets, errors included (rate-limit headers).
    public var responseHeaders = HTTPHeaders()
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init(
        logger: Logger, requestID: String, correlationID: String, traceparent: String? = nil,
        clientIP: String = "127.0.0.1", parameters: [String: String] = [:], routeTemplate: String = ""
    ) {
        self.logger = logger
        self.requestID = requestID
        self.correlationID = correlationID
        self.traceparent = traceparent
        self.clientIP = clientIP
        self.parameters = parameters
        self.routeTemplate = routeTemplate
    }

    /// The tenant the request acts for, once authentication has decided it; also tags log lines.
    public var tenantID: String? {
        get { logger.tenantID }
        set { logger.tenantID = newValue }
    }

    /// A path parameter that the route template guarantees.
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }

    public subscript<Key: RequestContextKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }

    /// Headers that carry this request's identity to another service.
    public var propagationHeaders: HTTPHeaders {
        var headers: HTTPHeaders = ["X-Correlation-ID": correlationID]
        if let traceparent { headers.add("traceparent", traceparent) }
        return headers
    }
}

/// A typed slot in `RequestContext`.
public protocol RequestContextKey {
    associatedtype Value: Sendable
}
