import Foundation
import HTTP
import Shared

/// Guards `/internal/…`: the caller must be another Coffer service holding the internal secret
/// (`X-Coffer-Signature`, DESIGN.md). Unsigned or stale calls get 401.
public struct InternalAuthenticator: HTTPMiddleware {
    private let signer: InternalRequestSigner

    public init(signer: InternalRequestSigner) { self.signer = signer }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse {
        let verdict = signer.verify(header: request.headers[InternalRequestSigner.headerName], method: request.method.rawValue,
                                    target: request.head.target, body: request.body, now: Int64(Date().timeIntervalSince1970))
        guard verdict == .valid else {
            context.logger.warning("internal call refused", ["reason": .string(verdict.code), "client_ip": .string(context.clientIP)])
            throw HTTPError(.unauthorized, code: verdict.code, message: "This endpoint needs a valid internal signature.")
        }
        return try await next(request, context)
    }
}

extension InternalRequestSigner {
    /// A signer hook for `CofferHTTPClient`: signs each attempt with a fresh timestamp.
    public var clientSigner: CofferHTTPClient.Signer {
        { request in
            let target = ClientTarget.pathAndQuery(of: request.url)
            request.headers.replaceOrAdd(
                InternalRequestSigner.headerName,
                signature(method: request.method.rawValue, target: target, body: request.body,
                          timestamp: Int64(Date().timeIntervalSince1970)))
        }
    }
}

/// The request target (path and query) of a URL, as the server will see it.
enum ClientTarget {
    static func pathAndQuery(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        var target = String(afterScheme[slash...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        return target.hasPrefix("?") ? "/" + target : target
    }
}
