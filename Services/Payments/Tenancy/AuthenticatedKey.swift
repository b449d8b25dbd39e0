import HTTP

/// The API key a request authenticated with.
struct AuthenticatedKey: Sendable, Equatable {
    let keyID: String
    let tenantID: String
    let role: APIKeyRole
    let livemode: Bool
    /// The tenant's API rate limit (requests per minute per key).
    let rateLimitPerMinute: Int

    var actor: String { keyID }
}

enum AuthenticatedKeyContext: RequestContextKey {
    typealias Value = AuthenticatedKey
}

extension RequestContext {
    /// The request's key; routes behind `APIKeyAuthenticator` always have one.
    func authenticatedKey() throws -> AuthenticatedKey {
        guard let key = self[AuthenticatedKeyContext.self] else { throw HTTPError.unauthorized() }
        return key
    }

    /// Refuses keys whose role may not do this.
    func requireRole(_ allowed: Set<APIKeyRole>) throws -> AuthenticatedKey {
        let key = try authenticatedKey()
        guard allowed.contains(key.role) else {
            throw HTTPError(.forbidden, code: "insufficient_role", message: "This key's role (\(key.role.rawValue)) may not do this.")
        }
        return key
    }
}
