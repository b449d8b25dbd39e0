import Foundation
import HTTP
import ProviderKit
import Shared
import XCTest

@testable import Payouts

/// The Zamtel adapter (a best-effort MoMo-shaped API, see `ZamtelDisbursementAdapter`) against a fake.
final class PayoutAdapterZamtelTests: XCTestCase {
    let apiKey = "zamtel-api-key-secret"
    let adapter = ZamtelDisbursementAdapter(httpClient: AdapterFixtures.client)

    func connector(_ base: String, timeout: Duration = .seconds(5)) -> ProviderConnector {
        AdapterFixtures.connector(
            .zamtel, base: base, credentials: ["api_key": apiKey, "shortcode": "500123"], timeout: timeout)
    }

    func request(amount: Money = Money(minorUnits: 2_000, currency: .zmw)) -> ProviderPayoutRequest {
        PayoutFixtures.request(
            id: "po_zamtel_1", amount: amount, destination: .mobileMoney(msisdn: "260951234567", holderName: "Chanda"),
            narration: nil, key: "po_zamtel_1")
    }

    func testSendPostsAMoMoShapedTransferWithTheKeyAndShortcode() async throws {
        let server = try await AdapterProviderServer([
            .on(.POST, "/disbursement/v1_0/transfer") { HTTPResponse(status: .accepted) }
        ])
        let state = try await adapter.send(request(), connector: connector(server.baseURL))
        let referenceID = PayoutReferenceUUID.make(from: "po_zamtel_1")
        XCTAssertEqual(
            state,
            ProviderPayoutState(
                providerPayoutID: referenceID, status: .pending, amount: 2_000, currency: .zmw, rawStatus: "ACCEPTED"))
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.target, "/disbursement/v1_0/transfer")
        XCTAssertEqual(sent.headers["Authorization"], "Bearer \(apiKey)")
        XCTAssertEqual(sent.headers["X-Shortcode"], "500123")
        XCTAssertEqual(sent.headers["X-Reference-Id"], referenceID)
        let body = try XCTUnwrap(sent.json)
        XCTAssertEqual(body["amount"]?.stringValue, "20.00")
        XCTAssertEqual(body["currency"]?.stringValue, "ZMW")
        XCTAssertEqual(body["externalId"]?.stringValue, "po_zamtel_1")
        XCTAssertEqual(body.value(at: "payee.partyId")?.stringValue, "260951234567")
        XCTAssertNil(body["payerMessage"], "no narration, no message")
        await server.stop()
    }

    func testOnlyKwachaIsPaidAndMissingCredentialsStopTheCall() async throws {
        let server = try await AdapterProviderServer([])
        await assertProviderError(.invalidRequest, code: "currency_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                request(amount: Money(minorUnits: 2_000, currency: .usd)), connector: connector(server.baseURL))
        }
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.send(
                request(),
                connector: AdapterFixtures.connector(.zamtel, base: server.baseURL, credentials: ["api_key": apiKey]))
        }
        let usd = try await adapter.balance(currency: .usd, connector: connector(server.baseURL))
        XCTAssertNil(usd)
        XCTAssertEqual(server.requests.count, 0)
        await server.stop()
    }

    func testStatusesLookupAndBalance() async throws {
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/disbursement/v1_0/transfer/{id}") { _, context, _ in
                switch context.parameter("id") {
                case "ok": AdapterReply.json(.ok, #"{"amount":"20","externalId":"po_zamtel_1","status":"SUCCESSFUL"}"#)
                case "failed":
                    AdapterReply.json(
                        .ok, #"{"amount":"20","currency":"ZMW","status":"FAILED","reason":"PAYEE_NOT_FOUND"}"#)
                default: AdapterReply.json(404, #"{"code":"RESOURCE_NOT_FOUND","message":"not found"}"#)
                }
            },
            .json(.GET, "/disbursement/v1_0/account/balance", #"{"availableBalance":"75.25"}"#),
        ])
        let zamtel = connector(server.baseURL)
        let ok = try await adapter.fetch(providerPayoutID: "ok", reference: "po_zamtel_1", connector: zamtel)
        XCTAssertEqual(
            ok,
            ProviderPayoutState(
                providerPayoutID: "ok", status: .processed, amount: 2_000, currency: .zmw, rawStatus: "SUCCESSFUL"))
        let failed = try await adapter.fetch(providerPayoutID: "failed", reference: "po_zamtel_1", connector: zamtel)
        XCTAssertEqual(failed?.status, .failed(code: "PAYEE_NOT_FOUND", message: nil))
        let missing = try await adapter.fetch(providerPayoutID: nil, reference: "po_zamtel_1", connector: zamtel)
        XCTAssertNil(missing)
        let balance = try await adapter.balance(currency: .zmw, connector: zamtel)
        XCTAssertEqual(balance, 7_525)
        await server.stop()
    }

    func testErrorStatusesMapToKindsWithoutLeakedSecrets() async throws {
        let cases: [(HTTPStatus, ProviderError.Kind)] = [
            (400, .invalidRequest), (401, .authentication), (429, .rateLimited), (502, .unavailable),
        ]
        for (status, kind) in cases {
            let server = try await AdapterProviderServer([
                .json(
                    .POST, "/disbursement/v1_0/transfer", status: status,
                    #"{"code":"E\#(status.code)","message":"refused key \#(apiKey)"}"#)
            ])
            let error = await assertProviderError(kind, code: "E\(status.code)") { () async throws(ProviderError) in
                try await adapter.send(request(), connector: connector(server.baseURL))
            }
            assertNoSecrets(error?.description, [apiKey, "260951234567"])
            XCTAssertEqual(server.requests.count, 1, "\(status): a static key is not renewed and the call not repeated")
            await server.stop()
        }
    }

    func testAServerThatNeverAnswersIsATimeout() async throws {
        let silent = try SilentListener()
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(silent.baseURL, timeout: .milliseconds(200)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
    }
}
