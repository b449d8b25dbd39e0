/// The public payments API as OpenAPI 3.1, served at `/openapi.json` (kept equal to `openapi/payments.json`).
enum PaymentsOpenAPI {
    static let document = #"{"openapi":"3.1.0","info":{"title":"Coffer Payments API","version":"0.1.0"},"paths":{}}"#
}
