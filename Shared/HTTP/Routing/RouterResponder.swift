import Shared
import Synchronization

/// The built router: matches a route, runs its middleware and handler, and around every request
/// does what each must get: request and correlation ids, the client IP, error rendering, one access
/// log line and the request metrics (by route template, never the raw path, which can hold secrets).
public struct RouterResponder: HTTPResponder {
    struct Route: Sendable {
        let template: String
        let bodyLimit: Int?
        let admission: [any HTTPAdmission]
        let chain: RouteHandler
        /// Metric children resolved once per route, so a request does no label lookups for them.
        let duration: Histogram
        let statusCounters: StatusCounters
    }

    /// Request counters of one route by status code, created on first use.
    final class StatusCounters: Sendable {
        private let family: MetricFamily<Counter>
        private let method: String
        private let template: String
        private let byStatus = Mutex<[Int: Counter]>([:])

        init(family: MetricFamily<Counter>, method: String, template: String) {
            self.family = family
            self.method = method
            self.template = template
        }

        func counter(_ status: Int) -> Counter {
            if let known = byStatus.withLock({ $0[status] }) { return known }
            let counter = family.labels([method, template, String(status)])
            byStatus.withLock { $0[status] = counter }
            return counter
        }
    }

    /// The trie is built once and never changed afterwards, so sharing it is safe.
    struct FrozenTrie: @unchecked Sendable {
        let trie: RouteTrie<Route>
    }

    private let routes: FrozenTrie
    private let onRefused: (@Sendable (RequestRefusal, String?, [String: String]) -> Void)?
    private let logger: Logger
    private let trustedProxies: TrustedProxies
    private let accessLog: Bool
    private let requestCount: MetricFamily<Counter>
    private let requestDuration: MetricFamily<Histogram>

    /// `serving` picks the routes this responder answers (a service's public or internal listener);
    /// the others are 404 here, exactly like paths that exist nowhere.
    public init(
        router: Router, logger: Logger, metrics: MetricsRegistry, trustedProxies: TrustedProxies = .none,
        accessLog: Bool = true, serving: @Sendable (String) -> Bool = { _ in true }
    ) {
        let requestCount = metrics.counter(
            "coffer_http_requests_total", help: "HTTP requests by method, route template and status.",
            labels: ["method", "route", "status"])
        let requestDuration = metrics.histogram(
            "coffer_http_request_duration_seconds", help: "HTTP request latency by method and route template.",
            labels: ["method", "route"])
        let trie = RouteTrie<Route>()
        for definition in router.definitions where serving(definition.template) {
            var chain = definition.handler
            for middleware in definition.middleware.reversed() {
                let next = chain
                chain = { request, context in try await middleware.handle(request, context: context, next: next) }
            }
            let method = definition.method.rawValue
            trie.insert(
                definition.method, template: definition.template,
                route: Route(
                    template: definition.template, bodyLimit: definition.bodyLimit, admission: definition.admission,
                    chain: chain,
                    duration: requestDuration.labels([method, definition.template]),
                    statusCounters: StatusCounters(family: requestCount, method: method, template: definition.template))
            )
        }
        routes = FrozenTrie(trie: trie)
        onRefused = router.onRefused
        self.logger = logger
        self.trustedProxies = trustedProxies
        self.accessLog = accessLog
        self.requestCount = requestCount
        self.requestDuration = requestDuration
    }

    public func bodyLimit(for head: HTTPRequestHead) -> Int? {
        if case .found(let route, _) = routes.trie.match(head.method, path: head.path) { return route.bodyLimit }
        return nil
    }

    public func requestRefused(_ refusal: RequestRefusal) {
        guard let onRefused else { return }
        if let head = refusal.head,
            case .found(let route, let parameters) = routes.trie.match(head.method, path: head.path)
        {
            onRefused(refusal, route.template, parameters)
        } else {
            onRefused(refusal, nil, [:])
        }
    }

    public func needsAdmission(_ head: HTTPRequestHead) -> Bool {
        if case .found(let route, _) = routes.trie.match(head.method, path: head.path) {
            return !route.admission.isEmpty
        }
        return false
    }

    /// Runs the route's admissions on the head alone. A refusal is answered (and logged and counted)
    /// like any other response; the body is never read.
    public func admit(_ head: HTTPRequestHead, peerAddress: String) async -> RequestAdmission {
        guard case .found(let route, let parameters) = routes.trie.match(head.method, path: head.path) else {
            return .proceed(carry: nil)
        }
        var context = makeContext(head, peerAddress: peerAddress)
        context.parameters = parameters
        context.routeTemplate = route.template
        do {
            for admission in route.admission { try await admission.admit(head, context: &context) }
            return .proceed(carry: AdmittedContext(context: context))
        } catch {
            let response = finish(
                render(error, context: context), context: context, route: route, method: head.method, bodyBytes: 0,
                receivedAt: MonotonicClock.nanoseconds())
            return .refuse(response)
        }
    }

    /// The context an admission built, handed to `respond` through the request.
    struct AdmittedContext: Sendable {
        let context: RequestContext
    }

    private func makeContext(_ head: HTTPRequestHead, peerAddress: String) -> RequestContext {
        let requestID = RequestIDs.next()
        let headers = head.headers
        let correlationID = headers["X-Correlation-ID"].flatMap(Self.acceptableCorrelationID) ?? requestID
        let traceparent = headers["traceparent"].flatMap(Self.acceptableTraceparent)
        let clientIP = trustedProxies.clientIP(peer: peerAddress, forwardedFor: headers["X-Forwarded-For"])
        var logger = self.logger
        logger.correlationID = correlationID
        return RequestContext(
            logger: logger, requestID: requestID, correlationID: correlationID, traceparent: traceparent,
            clientIP: clientIP)
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let admitted = request.admission as? AdmittedContext
        var context = admitted?.context ?? makeContext(request.head, peerAddress: request.peerAddress)

        var response: HTTPResponse
        var matched: Route?
        switch routes.trie.match(request.method, path: request.head.path) {
        case .found(let route, let parameters):
            matched = route
            context.parameters = parameters
            context.routeTemplate = route.template
            do {
                // In-process calls (tests) come without an admission: run the route's here.
                if admitted == nil {
                    for admission in route.admission { try await admission.admit(request.head, context: &context) }
                }
                response = try await route.chain(request, context)
            } catch {
                response = render(error, context: context)
            }
        case .methodNotAllowed(let allowed):
            context.routeTemplate = "unmatched"
            response = ErrorBody.response(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.method) is not allowed here.", requestID: context.requestID)
            response.headers.add("Allow", allowed.map(\.rawValue).joined(separator: ", "))
        case .notFound:
            context.routeTemplate = "unmatched"
            response = ErrorBody.response(
                status: .notFound, code: "route_not_found",
                message: "No route matches this path.", requestID: context.requestID)
        }
        return finish(
            response, context: context, route: matched, method: request.method, bodyBytes: request.body.count,
            receivedAt: request.receivedAt)
    }

    /// What every answer gets: the ids, the context's extra headers, the metrics and the access log line.
    private func finish(
        _ response: HTTPResponse, context: RequestContext, route: Route?, method: HTTPMethod, bodyBytes: Int,
        receivedAt: UInt64
    ) -> HTTPResponse {
        var response = response
        response.headers.add("X-Request-ID", context.requestID)
        response.headers.add("X-Correlation-ID", context.correlationID)
        if let traceparent = context.traceparent { response.headers.add("traceparent", traceparent) }
        for field in context.responseHeaders { response.headers.add(field.name, field.value) }

        let elapsed = MonotonicClock.nanoseconds() &- receivedAt
        let status = response.status.code
        if let route {
            route.statusCounters.counter(status).increment()
            route.duration.observe(Int64(elapsed / 1000))
        } else {
            requestCount.labels([method.rawValue, "unmatched", String(status)]).increment()
            requestDuration.labels([method.rawValue, "unmatched"]).observe(Int64(elapsed / 1000))
        }
        if accessLog {
            context.logger.info(
                "request",
                [
                    "method": .string(method.rawValue), "route": .string(context.routeTemplate),
                    "status": .int(Int64(status)), "duration_us": .int(Int64(elapsed / 1000)),
                    "bytes_in": .int(Int64(bodyBytes)), "bytes_out": .int(Int64(response.body.count)),
                    "client_ip": .string(context.clientIP), "request_id": .string(context.requestID),
                ])
        }
        return response
    }

    /// Known errors keep their status and code; anything else is a 500 whose details stay in the log.
    private func render(_ error: any Error, context: RequestContext) -> HTTPResponse {
        let httpError: HTTPError
        if let known = error as? HTTPError {
            httpError = known
        } else if let convertible = error as? any HTTPErrorConvertible {
            httpError = convertible.httpError
        } else {
            httpError = .internalError()
        }
        if httpError.status.code >= 500 {
            context.logger.error(
                "request failed", ["error": .string(String(describing: error)), "code": .string(httpError.code)])
        }
        var response = ErrorBody.response(
            status: httpError.status, code: httpError.code, message: httpError.message,
            requestID: context.requestID, param: httpError.param, objects: httpError.objects)
        for field in httpError.headers { response.headers.add(field.name, field.value) }
        return response
    }

    /// Correlation ids are echoed and logged, so only a safe shape is accepted; anything else is replaced.
    static func acceptableCorrelationID(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count) else { return nil }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                continue
            default:
                return nil
            }
        }
        return value
    }

    /// `version-traceid-parentid-flags` in lower-case hex (W3C Trace Context); anything else is dropped.
    static func acceptableTraceparent(_ value: String) -> String? {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2
        else { return nil }
        let hex = parts.joined()
        guard hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return value
    }
}
