import XCTest

@testable import Payments

/// `openapi/payments.json` describes the payments API (see `APIDocumentCheck`).
final class PaymentsOpenAPITests: XCTestCase {
    static let check = APIDocumentCheck(
        service: "payments", embedded: PaymentsOpenAPI.document,
        registrars: ["PaymentRoutes", "TenantRoutes", "OperatorRoutes", "InternalRoutes"],
        codeSources: ["Shared/Platform/APIKeys", "Shared/Platform/Idempotency"].flatMap {
            (try? APIDocumentCheck.swiftFiles(under: $0)) ?? []
        },
        // Provider refusals are domain errors with their own codes (`PaymentOutcome.swift`).
        anchors: [
            "idempotency_key_reused", "invalid_api_key", "payment_declined", "provider_invalid_request",
            "provider_authentication_failed",
        ])

    func testServedDocumentIsTheJSONFile() throws { try Self.check.servedDocumentIsTheFile() }
    func testDocumentPassesTheValidatorAndItsExamplesTheirSchemas() async throws {
        try await Self.check.passesTheValidatorAndExamplesMatchSchemas()
    }
    func testEveryErrorCodeIsDocumented() throws { try Self.check.everyErrorCodeIsDocumented() }
    func testEveryRouteIsDocumentedAndEveryOperationExists() throws { try Self.check.routesAndOperationsMatch() }
}
