import XCTest

@testable import Payouts

/// `openapi/payouts.json` describes the payouts API: payees, payouts, batches, and the operator API
/// on the internal listener (see `APIDocumentCheck`).
final class PayoutsOpenAPITests: XCTestCase {
    static let check = APIDocumentCheck(
        service: "payouts", embedded: PayoutsOpenAPI.document,
        registrars: ["PayeeRoutes", "PayoutRoutes", "OperatorRoutes", "InternalRoutes"],
        codeSources: ["Shared/Platform/APIKeys", "Shared/Platform/Idempotency"].flatMap {
            (try? APIDocumentCheck.swiftFiles(under: $0)) ?? []
        }
            + ["Shared/Platform/Tenancy/TenancyFreshness.swift"],
        anchors: ["insufficient_balance", "approver_must_differ", "tenancy_stale", "idempotency_key_reused"])

    func testServedDocumentIsTheJSONFile() throws { try Self.check.servedDocumentIsTheFile() }
    func testDocumentPassesTheValidatorAndItsExamplesTheirSchemas() async throws {
        try await Self.check.passesTheValidatorAndExamplesMatchSchemas()
    }
    func testEveryErrorCodeIsDocumented() throws { try Self.check.everyErrorCodeIsDocumented() }
    func testEveryRouteIsDocumentedAndEveryOperationExists() throws { try Self.check.routesAndOperationsMatch() }
}
