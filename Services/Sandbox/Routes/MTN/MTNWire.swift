import HTTP
import Shared

// MTN's wire format: how its errors, outages and idempotency conflicts are answered over HTTP.

extension MTNError: ProviderFailure {
    var response: HTTPResponse {
        let body: JSONValue =
            fromGateway
            ? .object(["statusCode": .int(Int64(status.code)), "message": .string(message)])
            : .object(["code": .string(code), "message": .string(message)])
        return .json(status, bytes: body.serialized())
    }
}

/// How MTN words outages; its idempotency is the reference id itself (a reused one is a 409 from the
/// simulator), so the gate's idempotency memory is never used for MTN.
struct MTNDialect: ProviderDialect {
    var provider: SandboxProvider { .mtn }

    func injectedFailure(status: Int) -> HTTPResponse {
        switch status {
        case 429:
            MTNError(
                status: 429, code: "", message: "Rate limit is exceeded. Try again in 1 seconds.", fromGateway: true
            ).response
        case 503:
            MTNError(status: 503, code: "SERVICE_UNAVAILABLE", message: "Service unavailable.").response
        case 500...:
            MTNError(
                status: HTTPStatus(status), code: "INTERNAL_PROCESSING_ERROR",
                message: "An internal error occurred while processing."
            ).response
        default:
            MTNError(
                status: HTTPStatus(status), code: "NOT_ALLOWED",
                message: "The sandbox was asked to fail this request (fail_next)."
            ).response
        }
    }

    func idempotencyMismatch(key: String) -> HTTPResponse { MTNError.duplicateReference().response }

    func idempotencyInFlight(key: String) -> HTTPResponse? { MTNError.duplicateReference().response }

    var replayHeaders: HTTPHeaders { [:] }

    func remembers(status: HTTPStatus, executed: Bool) -> Bool { false }
}
