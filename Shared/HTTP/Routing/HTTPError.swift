import Shared

/// An error a handler throws to answer with a specific status and stable code. Rendered as
/// `{"error":{"code":…,"message":…,"request_id":…,"param":…}}`.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var param: String?
    public var headers: HTTPHeaders
    /// Objects the error body carries next to the error's fields (`"payment": {…}`).
    public var objects: [String: JSONValue]

    public init(
        _ status: HTTPStatus, code: String, message: String, param: String? = nil, headers: HTTPHeaders = [:],
        objects: [String: JSONValue] = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers
        self.objects = objects
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func badRequest(_ message: String, code: String = "invalid_request", param: String? = nil)
        -> HTTPError
    {
        HTTPError(.badRequest, code: code, message: message, param: param)
    }
    public static func unauthorized(_ message: String = "Authentication is required.", code: String = "unauthorized")
        -> HTTPError
    {
        HTTPError(.unauthorized, code: code, message: message)
    }
    public static func forbidden(_ message: String, code: String = "forbidden") -> HTTPError {
        HTTPError(.forbidden, code: code, message: message)
    }
    public static func notFound(_ message: String = "No such object.", code: String = "not_found", param: String? = nil)
        -> HTTPError
    {
        HTTPError(.notFound, code: code, message: message, param: param)
    }
    public static func conflict(_ message: String, code: String = "invalid_state", param: String? = nil) -> HTTPError {
        HTTPError(.conflict, code: code, message: message, param: param)
    }
    public static func unprocessable(_ message: String, code: String) -> HTTPError {
        HTTPError(.unprocessableContent, code: code, message: message)
    }
    public static func tooManyRequests(retryAfterSeconds: Int, message: String = "Too many requests; slow down.")
        -> HTTPError
    {
        HTTPError(
            .tooManyRequests, code: "rate_limited", message: message,
            headers: ["Retry-After": String(max(1, retryAfterSeconds))])
    }
    public static func serviceUnavailable(
        _ message: String, code: String = "service_unavailable", retryAfterSeconds: Int = 1
    ) -> HTTPError {
        HTTPError(
            .serviceUnavailable, code: code, message: message,
            headers: ["Retry-After": String(max(1, retryAfterSeconds))])
    }
    public static func internalError() -> HTTPError {
        HTTPError(.internalServerError, code: "internal_error", message: "An internal error occurred.")
    }
}

/// Errors from lower layers (database, clients) that know how they should look over HTTP.
public protocol HTTPErrorConvertible: Error {
    var httpError: HTTPError { get }
}
