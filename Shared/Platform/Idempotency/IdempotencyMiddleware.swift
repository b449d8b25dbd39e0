import Foundation
import HTTP
import Shared

/// Applies `Idempotency-Key` to POSTs: replays a stored answer with `Idempotent-Replayed: true`, refuses
/// reuse with a different request (422 `idempotency_key_reused`) or while the first is running (409
/// `idempotency_key_in_use`), and stores the new answer. The fingerprint is the method, the path with
/// its query (a CSV batch's `?dry_run=true` is another request than the real submit), and
/// the canonical JSON of the body (keys sorted), so whitespace and key order do not matter.
public struct IdempotencyMiddleware: HTTPMiddleware {
    public let store: IdempotencyStore
    /// Payouts require a key on money-moving POSTs; payments make it optional.
    public let required: Bool
    /// Operator routes share one scope; tenant routes are scoped to the key's tenant.
    public let scope: @Sendable (RequestContext) -> (scope: String, tenantID: String)?

    public init(store: IdempotencyStore, required: Bool, scope: @escaping @Sendable (RequestContext) -> (scope: String, tenantID: String)?) {
        self.store = store
        self.required = required
        self.scope = scope
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse {
        guard request.method == .POST else { return try await next(request, context) }
        guard let key = request.headers["Idempotency-Key"] else {
            if required {
                throw HTTPError.badRequest("This request moves money: send an Idempotency-Key header.", code: "idempotency_key_required")
            }
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), !key.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw HTTPError.badRequest("Idempotency-Key must be 1 to 255 printable characters.", code: "invalid_idempotency_key")
        }
        guard let (scope, tenantID) = scope(context) else { return try await next(request, context) }
        let canonicalBody = request.body.isEmpty ? [] : ((try? JSONValue.canonicalize(request.body)) ?? request.body)
        let fingerprint = Hex.encode(SHA256.hash(Array("\(request.method.rawValue) \(request.head.target)\n".utf8) + canonicalBody))
        switch try await store.claim(scope: scope, key: key, tenantID: tenantID, method: request.method.rawValue, path: request.path,
                                     fingerprint: fingerprint) {
        case .replay(let status, let body):
            var response = HTTPResponse.json(HTTPStatus(status), bytes: body)
            response.headers.add("Idempotent-Replayed", "true")
            return response
        case .mismatch:
            throw HTTPError.unprocessable("This Idempotency-Key was used with a different request.", code: "idempotency_key_reused")
        case .inProgress:
            throw HTTPError.conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                                     code: "idempotency_key_in_use")
        case .proceed(let token):
            var context = context
            context[IdempotencyTokenContext.self] = token
            do {
                let response = try await next(request, context)
                if !token.isCompleted {
                    if Self.isStored(response.status.code) || token.effectBegun {
                        try await store.complete(token, status: response.status.code, body: response.body)
                    } else {
                        await store.release(token)
                    }
                }
                return response
            } catch let error as HTTPError where !token.effectBegun && error.status.code < 500 {
                // Refused before anything happened (validation, state): the client may fix and retry the key.
                await store.release(token)
                throw error
            } catch let error as HTTPError where token.effectBegun && error.status.code < 500 {
                let body = ErrorBody.bytes(code: error.code, message: error.message, requestID: context.requestID, param: error.param)
                try await store.complete(token, status: error.status.code, body: body)
                throw error
            } catch {
                // Failed before or after taking effect: a key with a recovery point stays claimed, so
                // a retry resumes once the lease ends; one without is released for a clean retry.
                await store.release(token)
                throw error
            }
        }
    }

    /// Answers worth replaying: successes and the outcome of a request that ran (a declined payment).
    public static func isStored(_ status: Int) -> Bool { (200..<300).contains(status) || status == 402 }
}
