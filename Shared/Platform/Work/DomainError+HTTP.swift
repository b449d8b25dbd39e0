import HTTP
import Shared

/// The one place a domain refusal becomes an HTTP answer: the kind decides the status, the code and
/// message travel unchanged, objects ride along in the error body. An internal failure never shows
/// its detail (the router logs it).
extension DomainError: HTTPErrorConvertible {
    public var httpError: HTTPError {
        var headers: HTTPHeaders = [:]
        if let retryAfterSeconds { headers.add("Retry-After", String(max(1, retryAfterSeconds))) }
        switch kind {
        case .internalFailure:
            return .internalError()
        default:
            return HTTPError(
                Self.status(of: kind), code: code, message: message, param: param, headers: headers, objects: objects)
        }
    }

    public static func status(of kind: Kind) -> HTTPStatus {
        switch kind {
        case .invalid: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .unprocessable: .unprocessableContent
        case .declined: HTTPStatus(402)
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .upstream: HTTPStatus(502)
        case .internalFailure: .internalServerError
        }
    }
}
