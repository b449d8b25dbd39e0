import Foundation
import HTTP
import ProviderKit
import Shared
import XCTest

@testable import Payouts

/// The RazorpayX adapter against a fake RazorpayX over real HTTP.
final class PayoutAdapterRazorpayXTests: XCTestCase {
    let keySecret = "rzp_secret_TopSecretValue"
    let sourceAccount = "2323230041626905"
    let adapter = RazorpayXPayoutAdapter(httpClient: AdapterFixtures.client)

    func connector(_ base: String, timeout: Duration = .seconds(5), credentials: [String: String]? = nil)
        -> ProviderConnector
    {
        AdapterFixtures.connector(
            .razorpay, base: base,
            credentials: credentials ?? [
                "key_id": "rzp_test_KeyId", "key_secret": keySecret, "account_number": sourceAccount,
            ],
            timeout: timeout)
    }

    static func payout(
        id: String = "pout_00000000000001", status: String, amount: Int64 = 150_050,
        reference: String = "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C",
        createdAt: Int64 = 1_545_383_037, details: String = "null"
    ) -> String {
        """
        {"id":"\(id)","entity":"payout","fund_account_id":"fa_00000000000001","amount":\(amount),"currency":"INR",
         "fees":0,"tax":0,"status":"\(status)","utr":null,"mode":"IMPS","purpose":"payout","reference_id":"\(reference)",
         "narration":"June sales 42","batch_id":null,"status_details":\(details),"created_at":\(createdAt)}
        """
    }

    // MARK: Send

    func testSendPostsACompositeBankPayoutWithTheIdempotencyKeyAndMapsQueuedToPending() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .POST, "/v1/payouts",
                Self.payout(
                    status: "queued",
                    details:
                        #"{"description":"Payout is queued as there is insufficient balance","source":"business","reason":"low_balance"}"#
                ))
        ])
        let state = try await adapter.send(PayoutFixtures.request(), connector: connector(server.baseURL))

        XCTAssertEqual(
            state,
            ProviderPayoutState(
                providerPayoutID: "pout_00000000000001", status: .pending, amount: 150_050, currency: .inr,
                rawStatus: "queued"))
        XCTAssertEqual(server.requests.count, 1)
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.method, "POST")
        XCTAssertEqual(sent.target, "/v1/payouts")
        XCTAssertEqual(
            sent.headers["Authorization"], "Basic \(Base64.encode(Array("rzp_test_KeyId:\(keySecret)".utf8)))")
        XCTAssertEqual(sent.headers["Content-Type"], "application/json")
        XCTAssertEqual(sent.headers["X-Payout-Idempotency"], "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C")
        let body = try XCTUnwrap(sent.json)
        XCTAssertEqual(body["account_number"]?.stringValue, sourceAccount)
        XCTAssertEqual(body["amount"]?.int64Value, 150_050)
        XCTAssertEqual(body["currency"]?.stringValue, "INR")
        XCTAssertEqual(body["mode"]?.stringValue, "IMPS")
        XCTAssertEqual(body["purpose"]?.stringValue, "payout")
        XCTAssertEqual(body["queue_if_low_balance"]?.boolValue, true)
        XCTAssertEqual(body["reference_id"]?.stringValue, "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C")
        XCTAssertEqual(body["narration"]?.stringValue, "June sales 42", "only letters, digits and spaces are sent")
        XCTAssertEqual(body.value(at: "fund_account.account_type")?.stringValue, "bank_account")
        XCTAssertEqual(body.value(at: "fund_account.bank_account.name")?.stringValue, "Asha Verma")
        XCTAssertEqual(body.value(at: "fund_account.bank_account.ifsc")?.stringValue, "HDFC0000123")
        XCTAssertEqual(body.value(at: "fund_account.bank_account.account_number")?.stringValue, "50100012345678")
        XCTAssertEqual(body.value(at: "fund_account.contact.name")?.stringValue, "Asha Verma")
        XCTAssertEqual(body.value(at: "fund_account.contact.type")?.stringValue, "vendor")
        XCTAssertEqual(
            body.value(at: "fund_account.contact.reference_id")?.stringValue, "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C")
        await server.stop()
    }

    func testUPIGoesByUPIAndABankPayoutOverTheIMPSLimitByNEFT() async throws {
        let server = try await AdapterProviderServer([.json(.POST, "/v1/payouts", Self.payout(status: "processing"))])
        let razorpay = connector(server.baseURL)
        _ = try await adapter.send(
            PayoutFixtures.request(destination: PayoutFixtures.upi, purpose: "referral", narration: nil),
            connector: razorpay)
        var body = try XCTUnwrap(server.requests.last?.json)
        XCTAssertEqual(body["mode"]?.stringValue, "UPI")
        XCTAssertEqual(body["purpose"]?.stringValue, "cashback")
        XCTAssertNil(body["narration"])
        XCTAssertEqual(body.value(at: "fund_account.account_type")?.stringValue, "vpa")
        XCTAssertEqual(body.value(at: "fund_account.vpa.address")?.stringValue, "asha.verma@okhdfc")
        XCTAssertEqual(body.value(at: "fund_account.contact.type")?.stringValue, "customer")

        _ = try await adapter.send(
            PayoutFixtures.request(amount: Money(minorUnits: 50_000_000, currency: .inr)), connector: razorpay)
        XCTAssertEqual(server.requests.last?.json?["mode"]?.stringValue, "IMPS", "₹5,00,000 is still IMPS")
        _ = try await adapter.send(
            PayoutFixtures.request(amount: Money(minorUnits: 50_000_001, currency: .inr), purpose: "salary"),
            connector: razorpay)
        body = try XCTUnwrap(server.requests.last?.json)
        XCTAssertEqual(body["mode"]?.stringValue, "NEFT")
        XCTAssertEqual(body.value(at: "fund_account.contact.type")?.stringValue, "employee")
        await server.stop()
    }

    func testAKeyRazorpayXCannotTakeIsSentAsItsDerivedUUID() async throws {
        let server = try await AdapterProviderServer([.json(.POST, "/v1/payouts", Self.payout(status: "processing"))])
        let key = "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C:attempt/1"
        _ = try await adapter.send(PayoutFixtures.request(key: key), connector: connector(server.baseURL))
        _ = try await adapter.send(PayoutFixtures.request(key: key), connector: connector(server.baseURL))
        let sent = server.requests.map { $0.headers["X-Payout-Idempotency"] }
        XCTAssertEqual(sent, [PayoutReferenceUUID.make(from: key), PayoutReferenceUUID.make(from: key)])
        XCTAssertEqual(RazorpayXPayoutAdapter.idempotencyKey("abc"), PayoutReferenceUUID.make(from: "abc"), "too short")
        XCTAssertEqual(RazorpayXPayoutAdapter.idempotencyKey("payout key_1-x"), "payout key_1-x")
        await server.stop()
    }

    func testWhatRazorpayXCannotPayIsRefusedWithoutACall() async throws {
        let server = try await AdapterProviderServer([])
        let razorpay = connector(server.baseURL)
        await assertProviderError(.invalidRequest, code: "currency_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(amount: Money(minorUnits: 100, currency: .usd)), connector: razorpay)
        }
        await assertProviderError(.invalidRequest, code: "destination_unsupported") { () async throws(ProviderError) in
            try await adapter.send(PayoutFixtures.request(destination: PayoutFixtures.wallet), connector: razorpay)
        }
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(),
                connector: connector(
                    server.baseURL, credentials: ["key_id": "rzp_test_KeyId", "key_secret": keySecret]))
        }
        XCTAssertEqual(server.requests.count, 0)
        XCTAssertEqual(adapter.destinations, [.bankAccount, .upi])
        await server.stop()
    }

    // MARK: Statuses

    func testEveryPayoutStatusMaps() async throws {
        let rejected = #"{"description":"Payout rejected by approver","source":"business","reason":"payout_rejected"}"#
        let failed =
            #"{"description":"Beneficiary account 50100012345678 is closed","source":"beneficiary_bank","reason":"beneficiary_account_closed"}"#
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/payouts/{id}") { _, context, _ in
                let status = context.parameter("id")
                let details = status == "rejected" ? rejected : status == "failed" ? failed : "null"
                return AdapterReply.json(.ok, Self.payout(id: "pout_\(status)", status: status, details: details))
            }
        ])
        let razorpay = connector(server.baseURL)
        let expected: [(String, ProviderPayoutState.Status)] = [
            ("queued", .pending), ("pending", .pending), ("processing", .pending), ("scheduled", .pending),
            ("processed", .processed), ("reversed", .reversed),
            ("rejected", .failed(code: "payout_rejected", message: "Payout rejected by approver")),
            ("cancelled", .failed(code: "cancelled", message: nil)),
        ]
        for (raw, status) in expected {
            let state = try await adapter.fetch(providerPayoutID: raw, reference: "po_x", connector: razorpay)
            XCTAssertEqual(state?.status, status, raw)
            XCTAssertEqual(state?.rawStatus, raw)
            XCTAssertEqual(state?.providerPayoutID, "pout_\(raw)")
        }
        let failure = try await adapter.fetch(providerPayoutID: "failed", reference: "po_x", connector: razorpay)
        guard case .failed(let code, let message) = failure?.status else {
            return XCTFail("\(String(describing: failure))")
        }
        XCTAssertEqual(code, "beneficiary_account_closed")
        XCTAssertEqual(message, "Beneficiary account 50100012345678 is closed", "a lookup does not know the payee")
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetch(providerPayoutID: "teleported", reference: "po_x", connector: razorpay)
        }
        XCTAssertEqual(server.requests.first?.target, "/v1/payouts/queued")
        XCTAssertTrue(server.requests.allSatisfy { $0.method == "GET" && $0.headers["X-Payout-Idempotency"] == nil })
        await server.stop()
    }

    func testAFailureTextNeverEchoesThePayeesAccountNumber() async throws {
        let details =
            #"{"description":"Beneficiary account 50100012345678 is closed","source":"beneficiary_bank","reason":"beneficiary_account_closed"}"#
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payouts", Self.payout(status: "failed", details: details))
        ])
        let state = try await adapter.send(PayoutFixtures.request(), connector: connector(server.baseURL))
        XCTAssertEqual(
            state.status,
            .failed(code: "beneficiary_account_closed", message: "Beneficiary account [REDACTED] is closed"))
        await server.stop()
    }

    // MARK: Lookup

    func testLookupByReferenceFindsTheNewestMatchingPayoutOrNothing() async throws {
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/payouts") { request, _, _ in
                guard request.queryParameters["reference_id"] == "po_found" else {
                    return AdapterReply.json(.ok, #"{"entity":"collection","count":0,"items":[]}"#)
                }
                return AdapterReply.json(
                    .ok,
                    """
                    {"entity":"collection","count":3,"items":[
                      \(Self.payout(id: "pout_old", status: "failed", reference: "po_found", createdAt: 100)),
                      \(Self.payout(id: "pout_other", status: "processed", reference: "po_other", createdAt: 300)),
                      \(Self.payout(id: "pout_new", status: "processed", reference: "po_found", createdAt: 200))]}
                    """)
            },
            .on(.GET, "/v1/payouts/{id}") {
                AdapterReply.json(404, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"not found"}}"#)
            },
        ])
        let razorpay = connector(server.baseURL)
        let found = try await adapter.fetch(providerPayoutID: nil, reference: "po_found", connector: razorpay)
        XCTAssertEqual(found?.providerPayoutID, "pout_new")
        XCTAssertEqual(found?.status, .processed)
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.query["account_number"], sourceAccount)
        XCTAssertEqual(sent.query["reference_id"], "po_found")

        let missing = try await adapter.fetch(providerPayoutID: nil, reference: "po_never_sent", connector: razorpay)
        XCTAssertNil(missing)
        let unknownID = try await adapter.fetch(
            providerPayoutID: "pout_gone", reference: "po_found", connector: razorpay)
        XCTAssertNil(unknownID, "a 404 for a payout id is no such payout")
        await server.stop()
    }

    // MARK: Balance

    func testBalanceIsTheConnectorsAccountsAvailableAmount() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .GET, "/v1/banking_balances",
                """
                {"entity":"collection","count":2,"items":[
                  {"entity":"banking_balance","currency":"INR","account_number":"409001396356","account_type":"current_account","amount":186682638,"available_amount":186682638},
                  {"entity":"banking_balance","currency":"INR","account_number":"\(sourceAccount)","account_type":"razorpayx_lite","amount":1029000,"available_amount":1000000}]}
                """)
        ])
        let balance = try await adapter.balance(currency: .inr, connector: connector(server.baseURL))
        XCTAssertEqual(balance, 1_000_000)
        XCTAssertEqual(server.requests.first?.query["count"], "100")
        let usd = try await adapter.balance(currency: .usd, connector: connector(server.baseURL))
        XCTAssertNil(usd)
        XCTAssertEqual(server.requests.count, 1, "no call for a currency RazorpayX does not hold")
        let other = try await adapter.balance(
            currency: .inr,
            connector: connector(
                server.baseURL, credentials: ["key_id": "k", "key_secret": keySecret, "account_number": "999"]))
        XCTAssertNil(other, "an account RazorpayX does not list has no balance to report")
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKindsWithoutRetriesOrLeakedSecrets() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400,
                #"{"error":{"code":"BAD_REQUEST_ERROR","description":"Invalid account 50100012345678 for \#(sourceAccount)","source":"business","reason":"input_validation_failed","field":"fund_account"}}"#,
                .invalidRequest, "BAD_REQUEST_ERROR"
            ),
            (
                401, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed for \#(keySecret)"}}"#,
                .authentication, "BAD_REQUEST_ERROR"
            ),
            (
                429, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests"}}"#, .rateLimited,
                "BAD_REQUEST_ERROR"
            ),
            (
                500, #"{"error":{"code":"SERVER_ERROR","description":"We are facing some trouble"}}"#, .unavailable,
                "SERVER_ERROR"
            ),
            (503, "<html>Service Unavailable</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let server = try await AdapterProviderServer([.json(.POST, "/v1/payouts", status: status, body)])
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.send(PayoutFixtures.request(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            assertNoSecrets(error?.description, [keySecret, sourceAccount, "50100012345678"])
            XCTAssertEqual(server.requests.count, 1, "\(status): the adapter must not retry")
            await server.stop()
        }
    }

    func testAServerThatNeverAnswersIsATimeout() async throws {
        let silent = try SilentListener()
        let slow = connector(silent.baseURL, timeout: .milliseconds(200))
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(PayoutFixtures.request(), connector: slow)
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        let lookup = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.fetch(providerPayoutID: "pout_1", reference: "po_x", connector: slow)
        }
        XCTAssertEqual(lookup?.isRetryable, true)
    }
}
