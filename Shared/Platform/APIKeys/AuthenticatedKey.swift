import HTTP

/// The API key a request authenticated with.
public struct AuthenticatedKey: Sendable, Equatable {
    public let keyID: String
    public let tenantID: String
    public let role: APIKeyRole
    public let livemode: Bool
    /// The tenant's API rate limit (requests per minute per key).
    public let rateLimitPerMinute: Int

    public var actor: String { keyID }

    public init(keyID: String, tenantID: String, role: APIKeyRole, livemode: Bool, rateLimitPerMinute: Int) {
        self.keyID = keyID
        self.tenantID = tenantID
        self.role = role
        self.livemode = livemode
        self.rateLimitPerMinute = rateLimitPerMinute
    }
}

public enum AuthenticatedKeyContext: RequestContextKey {
    public typealias Value = AuthenticatedKey
}

extension RequestContext {
    /// The request's key; routes behind `APIKeyAuthenticator` always have one.
    public func authenticatedKey() throws -> AuthenticatedKey {
        guard let key = self[AuthenticatedKeyContext.self] else { throw HTTPError.unauthorized() }
        return key
    }

    /// Refuses keys whose role may not do this.
    public func requireRole(_ allowed: Set<APIKeyRole>) throws -> AuthenticatedKey {
        let key = try authenticatedKey()
        guard allowed.contains(key.role) else {
            throw HTTPError(
                .forbidden, code: "insufficient_role",
                message: "This key's role (\(key.role.rawValue)) may not do this.")
        }
        return key
    }
}
