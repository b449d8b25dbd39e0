import XCTest

@testable import Ingress

/// `openapi/ingress.json` describes what ingress answers providers at `/webhooks` and the operator API
/// on its internal listener (see `APIDocumentCheck`). Its refusals are `refuse(.status, "code", …)` in
/// the receiver and `WebhookRejection(…, code:)` in the verifiers.
final class IngressOpenAPITests: XCTestCase {
    static let check = APIDocumentCheck(
        service: "ingress", embedded: IngressOpenAPI.document, registrars: ["WebhookRoutes", "AdminRoutes"],
        codePatterns: [#"code: (?:String = )?"([a-z0-9_]+)""#, #"refuse\(\s*\.\w+,\s*"([a-z0-9_]+)""#],
        anchors: ["unknown_tenant", "invalid_signature", "malformed_payload", "unknown_provider", "rate_limited"])

    func testServedDocumentIsTheJSONFile() throws { try Self.check.servedDocumentIsTheFile() }
    func testDocumentPassesTheValidatorAndItsExamplesTheirSchemas() async throws {
        try await Self.check.passesTheValidatorAndExamplesMatchSchemas()
    }
    func testEveryErrorCodeIsDocumented() throws { try Self.check.everyErrorCodeIsDocumented() }
    func testEveryRouteIsDocumentedAndEveryOperationExists() throws { try Self.check.routesAndOperationsMatch() }
}
