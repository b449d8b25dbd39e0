/// A request handler: decode, call the domain, encode. Throw `HTTPError` for a specific answer.
public typealias RouteHandler = @Sendable (HTTPRequest, RequestContext) async throws -> HTTPResponse

/// Wraps handlers: authentication, rate limits, idempotency. Call `next` to continue.
public protocol HTTPMiddleware: Sendable {
    func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
}

/// Collects routes, then builds an immutable `RouterResponder` for the server.
public final class Router {
    struct Definition {
        let method: HTTPMethod
        let template: String
        let bodyLimit: Int?
        let admission: [any HTTPAdmission]
        let middleware: [any HTTPMiddleware]
        let handler: RouteHandler
    }

    private(set) var definitions: [Definition] = []
    /// Told about requests the server refused before any handler ran, with the route they were for
    /// (when their head was read and matched one): for logs that must include every attempt.
    public var onRefused: (@Sendable (RequestRefusal, _ route: String?, _ parameters: [String: String]) -> Void)?

    public init() {}

    /// Registers `handler` for `method` on `template` (`/v1/payments/{id}`).
    /// `bodyLimit` overrides the server's body limit for this route.
    /// `admission` runs on the head before the body is read (authentication); `middleware` wraps
    /// the handler once the whole request is in.
    @discardableResult
    public func on(
        _ method: HTTPMethod, _ template: String, bodyLimit: Int? = nil, admission: [any HTTPAdmission] = [],
        middleware: [any HTTPMiddleware] = [], _ handler: @escaping RouteHandler
    ) -> Router {
        definitions.append(
            Definition(
                method: method, template: template, bodyLimit: bodyLimit, admission: admission, middleware: middleware,
                handler: handler))
        return self
    }

    @discardableResult
    public func get(
        _ template: String, admission: [any HTTPAdmission] = [], middleware: [any HTTPMiddleware] = [],
        _ handler: @escaping RouteHandler
    ) -> Router {
        on(.GET, template, admission: admission, middleware: middleware, handler)
    }

    @discardableResult
    public func post(
        _ template: String, bodyLimit: Int? = nil, admission: [any HTTPAdmission] = [],
        middleware: [any HTTPMiddleware] = [],
        _ handler: @escaping RouteHandler
    ) -> Router {
        on(.POST, template, bodyLimit: bodyLimit, admission: admission, middleware: middleware, handler)
    }

    @discardableResult
    public func put(
        _ template: String, bodyLimit: Int? = nil, admission: [any HTTPAdmission] = [],
        middleware: [any HTTPMiddleware] = [],
        _ handler: @escaping RouteHandler
    ) -> Router {
        on(.PUT, template, bodyLimit: bodyLimit, admission: admission, middleware: middleware, handler)
    }

    @discardableResult
    public func patch(
        _ template: String, admission: [any HTTPAdmission] = [], middleware: [any HTTPMiddleware] = [],
        _ handler: @escaping RouteHandler
    ) -> Router {
        on(.PATCH, template, admission: admission, middleware: middleware, handler)
    }

    @discardableResult
    public func delete(
        _ template: String, admission: [any HTTPAdmission] = [], middleware: [any HTTPMiddleware] = [],
        _ handler: @escaping RouteHandler
    ) -> Router {
        on(.DELETE, template, admission: admission, middleware: middleware, handler)
    }

    /// Routes under `prefix` that share admission and middleware (e.g. `/admin` with operator authentication).
    public func group(_ prefix: String, admission: [any HTTPAdmission] = [], middleware: [any HTTPMiddleware] = [])
        -> RouterGroup
    {
        RouterGroup(router: self, prefix: prefix, admission: admission, middleware: middleware)
    }
}

/// Routes sharing a path prefix and middleware.
public struct RouterGroup {
    let router: Router
    let prefix: String
    let admission: [any HTTPAdmission]
    let middleware: [any HTTPMiddleware]

    @discardableResult
    public func on(
        _ method: HTTPMethod, _ template: String, bodyLimit: Int? = nil,
        middleware extra: [any HTTPMiddleware] = [], _ handler: @escaping RouteHandler
    ) -> RouterGroup {
        router.on(
            method, prefix + template, bodyLimit: bodyLimit, admission: admission, middleware: middleware + extra,
            handler)
        return self
    }

    @discardableResult
    public func get(_ template: String, _ handler: @escaping RouteHandler) -> RouterGroup {
        on(.GET, template, handler)
    }
    @discardableResult
    public func post(_ template: String, bodyLimit: Int? = nil, _ handler: @escaping RouteHandler) -> RouterGroup {
        on(.POST, template, bodyLimit: bodyLimit, handler)
    }
    @discardableResult
    public func put(_ template: String, _ handler: @escaping RouteHandler) -> RouterGroup {
        on(.PUT, template, handler)
    }
    @discardableResult
    public func patch(_ template: String, _ handler: @escaping RouteHandler) -> RouterGroup {
        on(.PATCH, template, handler)
    }
    @discardableResult
    public func delete(_ template: String, _ handler: @escaping RouteHandler) -> RouterGroup {
        on(.DELETE, template, handler)
    }

    public func group(_ subPrefix: String, middleware extra: [any HTTPMiddleware] = []) -> RouterGroup {
        RouterGroup(router: router, prefix: prefix + subPrefix, admission: admission, middleware: middleware + extra)
    }
}
