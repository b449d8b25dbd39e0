import Foundation
import HTTP
import Shared

/// Applies `Idempotency-Key` to POSTs: replays a stored answer with `Idempotent-Replayed: true`, refuses
/// reuse with a different request (422 `idempotency_key_reused`) or while the first is running (409
/// `idempotency_key_in_use`), and otherwise claims the key and hands the claim down
/// (`IdempotencyClaimContext`). The fingerprint is the method, the path with its query (a CSV batch's
/// `?dry_run=true` is another request than the real submit), and the canonical JSON of the body (keys
/// sorted), so whitespace and key order do not matter.
///
/// The answer is stored by the unit of work, in the transaction that takes effect, when the handler
/// went through one (its response says so: `IdempotencyRecorded`). Otherwise the middleware stores a
/// success here, and for anything else settles the key: kept with the answer if the request took
/// effect first (it recorded a recovery point), forgotten if it did not, so the client may correct
/// the request and send the same key again. Routes that move money require a key themselves
/// (`RequestContext.requireIdempotencyKey`).
public struct IdempotencyMiddleware: HTTPMiddleware {
    public let store: IdempotencyStore
    /// Operator routes share one scope; tenant routes are scoped to the key's tenant (and mode).
    public let scope: @Sendable (RequestContext) -> (scope: String, tenantID: String)?

    public init(
        store: IdempotencyStore, scope: @escaping @Sendable (RequestContext) -> (scope: String, tenantID: String)?
    ) {
        self.store = store
        self.scope = scope
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        guard request.method == .POST, let key = request.headers["Idempotency-Key"] else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), !key.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw HTTPError.badRequest(
                "Idempotency-Key must be 1 to 255 printable characters.", code: "invalid_idempotency_key")
        }
        guard let (scope, tenantID) = scope(context) else { return try await next(request, context) }
        let canonicalBody = request.body.isEmpty ? [] : ((try? JSONValue.canonicalize(request.body)) ?? request.body)
        let fingerprint = Hex.encode(
            SHA256.hash(Array("\(request.method.rawValue) \(request.head.target)\n".utf8) + canonicalBody))
        switch try await store.claim(
            scope: scope, key: key, tenantID: tenantID, method: request.method.rawValue, path: request.path,
            fingerprint: fingerprint)
        {
        case .replay(let status, let body):
            var response = HTTPResponse.json(HTTPStatus(status), bytes: body)
            response.headers.add("Idempotent-Replayed", "true")
            return response
        case .mismatch:
            throw HTTPError.unprocessable(
                "This Idempotency-Key was used with a different request.", code: "idempotency_key_reused")
        case .inProgress:
            throw HTTPError.conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                code: "idempotency_key_in_use")
        case .proceed(let claim):
            var context = context
            context[IdempotencyClaimContext.self] = claim
            let response: HTTPResponse
            do {
                response = try await next(request, context)
            } catch {
                let known = (error as? HTTPError) ?? (error as? any HTTPErrorConvertible)?.httpError
                if let known, known.status.code < 500 {
                    // Refused: stored if the request took effect first, forgotten if it did not.
                    let body = ErrorBody.bytes(
                        code: known.code, message: known.message, requestID: context.requestID, param: known.param,
                        objects: known.objects)
                    await store.settle(claim, answer: StoredAnswer(status: known.status.code, body: body))
                } else {
                    // Failed: a key with a recovery point stays claimed (a retry resumes once the lease
                    // ends); one without is released for a clean retry.
                    await store.release(claim)
                }
                throw error
            }
            if response[IdempotencyRecorded.self] == true { return response }
            let answer = StoredAnswer(status: response.status.code, body: response.body)
            if answer.isWorthStoring {
                try await store.complete(claim, answer: answer)
            } else {
                await store.settle(claim, answer: answer)
            }
            return response
        }
    }
}

extension RequestContext {
    /// The request's claimed idempotency key, if it sent one.
    public var idempotencyClaim: IdempotencyClaim? { self[IdempotencyClaimContext.self] }

    /// For routes that move money: a retry must find the first attempt's object, never make a second.
    public func requireIdempotencyKey(_ reason: String) throws -> IdempotencyClaim {
        guard let claim = idempotencyClaim else {
            throw HTTPError.badRequest("\(reason): send an Idempotency-Key header.", code: "idempotency_key_required")
        }
        return claim
    }
}
