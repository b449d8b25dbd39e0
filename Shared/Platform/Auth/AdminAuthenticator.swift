import Foundation
import HTTP
import Shared

/// The operator a request acts as (the token's name from `COFFER_ADMIN_TOKENS`), for audit logs and
/// four-eyes approvals ("a second operator" is a second name).
public struct AdminPrincipal: Sendable, Equatable {
    public let name: String
}

public enum AdminPrincipalKey: RequestContextKey {
    public typealias Value = AdminPrincipal
}

extension RequestContext {
    /// The operator, once `AdminAuthenticator` accepted the request.
    public var adminPrincipal: AdminPrincipal? { self[AdminPrincipalKey.self] }
}

/// Guards `/admin/…` on the head, before any body is read: `Authorization: Bearer <operator token>`,
/// compared in constant time against every configured token. Failures count against the caller's
/// address (`AuthFailureLimiter`).
public struct AdminAuthenticator: HTTPAdmission {
    private let tokens: [(name: String, token: [UInt8])]
    private let failures: AuthFailureLimiter?

    public init(tokens: [String: String], failures: AuthFailureLimiter? = nil) {
        self.tokens = tokens.sorted { $0.key < $1.key }.map { ($0.key, Array($0.value.utf8)) }
        self.failures = failures
    }

    public func admit(_ head: HTTPRequestHead, context: inout RequestContext) async throws {
        try failures?.checkNotLocked(context.clientIP, kind: "admin_token")
        guard let presented = BearerToken.extract(from: head.headers) else {
            failures?.recordFailure(context.clientIP, kind: "admin_token", reason: "missing")
            throw HTTPError(
                .unauthorized, code: "unauthorized", message: "An operator token is required.",
                headers: ["WWW-Authenticate": "Bearer"])
        }
        let bytes = Array(presented.utf8)
        var matched: String?
        for candidate in tokens where ConstantTime.equals(candidate.token, bytes) {
            matched = candidate.name
        }
        guard let matched else {
            failures?.recordFailure(context.clientIP, kind: "admin_token", reason: "invalid")
            context.logger.warning("admin request with an unknown token", ["client_ip": .string(context.clientIP)])
            throw HTTPError(
                .unauthorized, code: "unauthorized", message: "The operator token is not valid.",
                headers: ["WWW-Authenticate": "Bearer"])
        }
        context[AdminPrincipalKey.self] = AdminPrincipal(name: matched)
        context.logger[metadataKey: "operator"] = .string(matched)
    }
}

/// Reads `Authorization: Bearer <token>`.
public enum BearerToken {
    public static func extract(from headers: HTTPHeaders) -> String? {
        guard let value = headers["Authorization"], value.utf8.count <= 4096 else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
