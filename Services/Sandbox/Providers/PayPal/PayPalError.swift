import HTTP
import Shared

/// An error in PayPal's REST shape:
/// `{"name":"UNPROCESSABLE_ENTITY","message","debug_id","details":[{"issue","description","field"}],"links":[…]}`.
struct PayPalError: Error, Sendable {
    var status: HTTPStatus
    var name: String
    var message: String
    var issue: String?
    var issueDescription: String?
    var field: String?
    var executed = false

    /// 400: the request does not fit the schema.
    static func invalidRequest(_ issue: String, _ description: String, field: String? = nil) -> PayPalError {
        PayPalError(
            status: .badRequest, name: "INVALID_REQUEST",
            message: "Request is not well-formed, syntactically incorrect, or violates schema.",
            issue: issue, issueDescription: description, field: field)
    }

    /// 422: well-formed, but the business rules say no.
    static func unprocessable(_ issue: String, _ description: String, field: String? = nil) -> PayPalError {
        PayPalError(
            status: .unprocessableContent, name: "UNPROCESSABLE_ENTITY",
            message:
                "The requested action could not be performed, semantically incorrect, or failed business validation.",
            issue: issue, issueDescription: description, field: field)
    }

    static func notFound() -> PayPalError {
        PayPalError(
            status: .notFound, name: "RESOURCE_NOT_FOUND", message: "The specified resource does not exist.",
            issue: "INVALID_RESOURCE_ID",
            issueDescription: "Specified resource ID does not exist. Please check the resource ID and try again.")
    }

    static func authenticationFailure() -> PayPalError {
        PayPalError(
            status: .unauthorized, name: "AUTHENTICATION_FAILURE",
            message:
                "Authentication failed due to invalid authentication credentials or a missing Authorization header.")
    }
}
