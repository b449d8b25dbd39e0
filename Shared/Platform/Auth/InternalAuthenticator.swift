import Foundation
import HTTP
import Shared

/// The Coffer service an internal call came from, once its signature verified.
public enum InternalSenderKey: RequestContextKey {
    public typealias Value = String
}

extension RequestContext {
    /// The verified sending service of an `/internal/…` call.
    public var internalSender: String? { self[InternalSenderKey.self] }
}

/// Guards `/internal/…` (DESIGN.md, with one secret per service pair): on the head, before the body
/// is read, the signature header's shape, its time (300 s, computed without overflow) and its sender
/// (one this service has a pair secret for and that may call this route); then, on the body, the MAC.
/// Anything else is 401.
public struct InternalAuthenticator: HTTPAdmission, HTTPMiddleware {
    /// The receiving identities (a service has one; a test stand-in may play several).
    private let signers: [InternalRequestSigner]
    /// The services that may call the route (nil: any this service has a secret for).
    private let allowedSenders: Set<String>?

    public init(signer: InternalRequestSigner, allowedSenders: Set<String>? = nil) {
        self.init(signers: [signer], allowedSenders: allowedSenders)
    }

    public init(signers: [InternalRequestSigner], allowedSenders: Set<String>? = nil) {
        self.signers = signers
        self.allowedSenders = allowedSenders
    }

    /// The same check, for a route only these senders may call.
    public func only(_ senders: Set<String>) -> InternalAuthenticator {
        InternalAuthenticator(signers: signers, allowedSenders: senders)
    }

    private func signer(for header: String?) -> InternalRequestSigner {
        guard signers.count > 1, case .success(let parsed) = InternalRequestSigner.parse(header) else {
            return signers[0]
        }
        return signers.first { $0.knownSenders.contains(parsed.sender) } ?? signers[0]
    }

    /// The MAC check with each receiving identity in turn (one, in a service).
    private func verify(_ header: String?, request: HTTPRequest) -> Result<String, InternalRequestSigner.Verdict> {
        var result: Result<String, InternalRequestSigner.Verdict> = .failure(.missing)
        for signer in signers {
            result = signer.verify(
                header: header, method: request.method.rawValue, target: request.head.target, body: request.body,
                now: Int64(Date().timeIntervalSince1970))
            if case .success = result { return result }
        }
        return result
    }

    public func admit(_ head: HTTPRequestHead, context: inout RequestContext) async throws {
        let header = head.headers[InternalRequestSigner.headerName]
        switch signer(for: header).checkHead(header, now: Int64(Date().timeIntervalSince1970)) {
        case .failure(let verdict):
            throw refusal(verdict, context: context)
        case .success(let parsed):
            guard allowedSenders?.contains(parsed.sender) ?? true else {
                throw refusal(.unknownSender, context: context)
            }
        }
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        let header = request.headers[InternalRequestSigner.headerName]
        switch verify(header, request: request) {
        case .failure(let verdict):
            throw refusal(verdict, context: context)
        case .success(let sender):
            guard allowedSenders?.contains(sender) ?? true else { throw refusal(.unknownSender, context: context) }
            var context = context
            context[InternalSenderKey.self] = sender
            context.logger[metadataKey: "sender"] = .string(sender)
            return try await next(request, context)
        }
    }

    private func refusal(_ verdict: InternalRequestSigner.Verdict, context: RequestContext) -> HTTPError {
        context.logger.warning(
            "internal call refused", ["reason": .string(verdict.code), "client_ip": .string(context.clientIP)])
        return HTTPError(.unauthorized, code: verdict.code, message: "This endpoint needs a valid internal signature.")
    }
}

extension InternalRequestSigner {
    /// A signer hook for `CofferHTTPClient` calls to `receiver`: signs each attempt with a fresh timestamp.
    public func clientSigner(to receiver: String) -> CofferHTTPClient.Signer {
        { request in
            let target = ClientTarget.pathAndQuery(of: request.url)
            if let header = signature(
                to: receiver, method: request.method.rawValue, target: target, body: request.body,
                timestamp: Int64(Date().timeIntervalSince1970))
            {
                request.headers.replaceOrAdd(InternalRequestSigner.headerName, header)
            }
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
