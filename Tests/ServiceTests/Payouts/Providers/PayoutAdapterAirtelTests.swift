import Foundation
import HTTP
import ProviderKit
import Shared
import Synchronization
import XCTest

@testable import Payouts

/// Counts the tokens the fake Airtel issues and hands out scripted answers in order.
final class AirtelFakeState: Sendable {
    private let issued = Mutex(0)
    private let answers: Mutex<[String]>

    init(answers: [String] = []) { self.answers = Mutex(answers) }

    var issuedCount: Int { issued.withLock { $0 } }
    func nextToken() -> String {
        issued.withLock { count in
            defer { count += 1 }
            return "airtel-token-\(count)"
        }
    }
    func nextAnswer() -> String { answers.withLock { $0.removeFirst() } }
}

/// The Airtel Money disbursement adapter against a fake Airtel Open API over real HTTP.
final class PayoutAdapterAirtelTests: XCTestCase {
    let clientSecret = "airtel-client-secret-value"
    let pin = "KYJExln8rZwb14G1K5UE5YF/lD7KheNUM171MUEG3/f/QD8nmNKRsa44UZkh6A4cR7+fVNbjqJk6Y6h6m/Z0Ng=="

    func connector(_ base: String, timeout: Duration = .seconds(5), pin: String? = nil) -> ProviderConnector {
        var credentials = [
            "client_id": "airtel-client", "client_secret": clientSecret, "country": "ZM", "currency": "ZMW",
        ]
        credentials["encrypted_pin"] = pin ?? self.pin
        return AdapterFixtures.connector(.airtel, base: base, credentials: credentials, timeout: timeout)
    }

    func request(amount: Money = Money(minorUnits: 15_075, currency: .zmw)) -> ProviderPayoutRequest {
        PayoutFixtures.request(
            id: "po_airtel_1", amount: amount, destination: PayoutFixtures.wallet, key: "po_airtel_1")
    }

    static func answer(status: String?, code: String, success: Bool = true, message: String = "Success") -> String {
        let transaction = status.map { #","status":"\#($0)""# } ?? ""
        return
            #"{"data":{"transaction":{"reference_id":"18****354","airtel_money_id":"product-partner-41","id":"po_airtel_1"\#(transaction)}},"status":{"code":"200","message":"\#(message)","response_code":"\#(code)","result_code":"ESB000010","success":\#(success)}}"#
    }

    /// The token route (counting issues, `expires_in` as Airtel sometimes sends it: a string).
    static func tokenRoute(_ fake: AirtelFakeState = AirtelFakeState()) -> AdapterProviderServer.Route {
        AdapterProviderServer.Route(method: .POST, template: "/auth/oauth2/token") { _, _, _ in
            let token = fake.nextToken()
            return AdapterReply.json(.ok, #"{"access_token":"\#(token)","expires_in":"180","token_type":"bearer"}"#)
        }
    }

    // MARK: Send

    func testSendFetchesATokenAndPostsTheDisbursementExactly() async throws {
        let issued = AirtelFakeState()
        let server = try await AdapterProviderServer([
            Self.tokenRoute(issued),
            .json(.POST, "/standard/v1/disbursements", Self.answer(status: "TS", code: "DP00900001001")),
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.send(request(), connector: connector(server.baseURL))

        XCTAssertEqual(
            state,
            ProviderPayoutState(
                providerPayoutID: "po_airtel_1", status: .processed, amount: 15_075, currency: .zmw, rawStatus: "TS"))
        let token = try XCTUnwrap(server.requests("POST", "/auth/oauth2/token").first)
        XCTAssertEqual(token.json?["client_id"]?.stringValue, "airtel-client")
        XCTAssertEqual(token.json?["client_secret"]?.stringValue, clientSecret)
        XCTAssertEqual(token.json?["grant_type"]?.stringValue, "client_credentials")
        let sent = try XCTUnwrap(server.requests("POST", "/standard/v1/disbursements/").first)
        XCTAssertEqual(sent.target, "/standard/v1/disbursements/")
        XCTAssertEqual(sent.headers["Authorization"], "Bearer airtel-token-0")
        XCTAssertEqual(sent.headers["X-Country"], "ZM")
        XCTAssertEqual(sent.headers["X-Currency"], "ZMW")
        XCTAssertEqual(sent.headers["Content-Type"], "application/json")
        let body = try XCTUnwrap(sent.json)
        XCTAssertEqual(body.value(at: "payee.msisdn")?.stringValue, "971234567", "without the country code")
        XCTAssertEqual(body["reference"]?.stringValue, "po_airtel_1")
        XCTAssertEqual(body["pin"]?.stringValue, pin)
        XCTAssertEqual(body.value(at: "transaction.amount")?.numberLiteral, "150.75")
        XCTAssertEqual(body.value(at: "transaction.id")?.stringValue, "po_airtel_1")

        _ = try await adapter.send(request(), connector: connector(server.baseURL))
        XCTAssertEqual(issued.issuedCount, 1, "a token whose expires_in is a string is still cached")
        await server.stop()
    }

    func testTheAnswersStatusOrResponseCodeDecides() async throws {
        let answers = AirtelFakeState(answers: [
            Self.answer(status: "TIP", code: "DP00900001006"),
            Self.answer(status: "TA", code: "DP00900001000"),
            Self.answer(
                status: "TF", code: "DP00900001012", success: false, message: "Mobile number 971234567 is incorrect"),
            Self.answer(status: nil, code: "DP00900001007", success: false, message: "Not enough funds"),
            Self.answer(status: nil, code: "DP00900001014", success: false, message: "Transaction Timed Out"),
            Self.answer(status: nil, code: "DP00900009999", success: false, message: "Something new"),
            Self.answer(status: nil, code: "DP00900001001"),
        ])
        let server = try await AdapterProviderServer([
            Self.tokenRoute(),
            AdapterProviderServer.Route(method: .POST, template: "/standard/v1/disbursements") { _, _, _ in
                AdapterReply.json(.ok, answers.nextAnswer())
            },
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        let expected: [ProviderPayoutState.Status] = [
            .pending, .pending,
            .failed(code: "DP00900001012", message: "Mobile number [REDACTED] is incorrect"),
            .failed(code: "DP00900001007", message: "Not enough funds"),
            .pending, .pending, .processed,
        ]
        for status in expected {
            let state = try await adapter.send(request(), connector: connector(server.baseURL))
            XCTAssertEqual(state.status, status)
        }
        await server.stop()
    }

    func testADuplicateTransactionIDReportsTheFirstTransaction() async throws {
        let server = try await AdapterProviderServer([
            Self.tokenRoute(),
            .json(
                .POST, "/standard/v1/disbursements", status: 400,
                Self.answer(status: nil, code: "DP00900001017", success: false, message: "Duplicate Transaction Id")),
            .json(.GET, "/standard/v1/disbursements/{id}", Self.answer(status: "TS", code: "DP00900001001")),
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.send(request(), connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .processed)
        XCTAssertEqual(state.amount, 15_075, "the amount sent, which the enquiry does not repeat")
        XCTAssertEqual(server.requests("GET", "/standard/v1/disbursements/po_airtel_1").count, 1)
        await server.stop()
    }

    func testWhatAirtelCannotPayIsRefusedWithoutACall() async throws {
        let server = try await AdapterProviderServer([])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.invalidRequest, code: "currency_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                request(amount: Money(minorUnits: 100, currency: .kes)), connector: connector(server.baseURL))
        }
        await assertProviderError(.invalidRequest, code: "destination_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(destination: PayoutFixtures.upi), connector: connector(server.baseURL))
        }
        await assertProviderError(.invalidRequest, code: "invalid_destination") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(
                    amount: Money(minorUnits: 100, currency: .zmw),
                    destination: .mobileMoney(msisdn: "+260 97 1234567", holderName: "M")),
                connector: connector(server.baseURL))
        }
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL, pin: ""))
        }
        let balance = try await adapter.balance(currency: .zmw, connector: connector(server.baseURL))
        XCTAssertNil(balance, "Airtel documents no disbursement-wallet balance Coffer could confirm")
        XCTAssertEqual(server.requests.count, 0)
        XCTAssertEqual(AirtelMSISDN.local("256701234567", country: "ug"), "701234567")
        XCTAssertEqual(AirtelMSISDN.local("971234567", country: "ZM"), "971234567", "already local")
        XCTAssertEqual(
            AirtelMSISDN.local("15551234567", country: "US"), "15551234567", "a country Airtel does not serve")
        await server.stop()
    }

    // MARK: Lookup

    func testEnquiryMapsStatusesAndAnUnknownTransactionIsNil() async throws {
        let server = try await AdapterProviderServer([
            Self.tokenRoute(),
            AdapterProviderServer.Route(method: .GET, template: "/standard/v1/disbursements/{id}") { _, context, _ in
                switch context.parameter("id") {
                case "po_ok": AdapterReply.json(.ok, Self.answer(status: "TS", code: "DP00900001001"))
                case "po_wait": AdapterReply.json(.ok, Self.answer(status: "TIP", code: "DP00900001006"))
                case "po_failed":
                    AdapterReply.json(
                        .ok,
                        Self.answer(status: "TF", code: "DP00900001005", success: false, message: "Transaction failed"))
                case "po_unknown":
                    AdapterReply.json(
                        .ok,
                        Self.answer(
                            status: nil, code: "DP00900001015", success: false, message: "Transaction Not Found"))
                default: AdapterReply.json(404, #"{"status":{"code":"404","message":"Not found","success":false}}"#)
                }
            },
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        let airtel = connector(server.baseURL)
        let ok = try await adapter.fetch(providerPayoutID: "po_ok", reference: "po_ok", connector: airtel)
        XCTAssertEqual(
            ok,
            ProviderPayoutState(
                providerPayoutID: "po_ok", status: .processed, amount: 0, currency: .zmw, rawStatus: "TS"))
        let wait = try await adapter.fetch(providerPayoutID: nil, reference: "po_wait", connector: airtel)
        XCTAssertEqual(wait?.status, .pending)
        let failed = try await adapter.fetch(providerPayoutID: nil, reference: "po_failed", connector: airtel)
        XCTAssertEqual(failed?.status, .failed(code: "DP00900001005", message: "Transaction failed"))
        let unknown = try await adapter.fetch(providerPayoutID: nil, reference: "po_unknown", connector: airtel)
        XCTAssertNil(unknown)
        let missing = try await adapter.fetch(providerPayoutID: nil, reference: "po_missing", connector: airtel)
        XCTAssertNil(missing)
        XCTAssertTrue(
            server.requests("GET", "/standard/v1/disbursements/po_wait").allSatisfy { $0.headers["X-Country"] == "ZM" })
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKindsWithoutRetriesOrLeakedSecrets() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400,
                #"{"status":{"code":"400","message":"Invalid pin \#(pin) for 971234567","result_code":"ESB000001","response_code":"DP00900001016","success":false}}"#,
                .invalidRequest, "DP00900001016"
            ),
            (
                429,
                #"{"status":{"code":"429","message":"Too many requests","result_code":"ESB000034","success":false}}"#,
                .rateLimited, "ESB000034"
            ),
            (
                500, #"{"status":{"code":"500","message":"Internal error","result_code":"ESB000001","success":false}}"#,
                .unavailable, "ESB000001"
            ),
            (503, "<html>Service Unavailable</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let server = try await AdapterProviderServer([
                Self.tokenRoute(), .json(.POST, "/standard/v1/disbursements", status: status, body),
            ])
            let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.send(request(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            assertNoSecrets(error?.description, [clientSecret, pin, "971234567", "airtel-token-0"])
            XCTAssertEqual(server.requests("POST", "/standard/v1/disbursements/").count, 1, "\(status): no retry")
            await server.stop()
        }
    }

    func testA401RenewsTheTokenOnceThenIsAnAuthenticationError() async throws {
        let issued = AirtelFakeState()
        let server = try await AdapterProviderServer([
            Self.tokenRoute(issued),
            .json(
                .POST, "/standard/v1/disbursements", status: 401,
                #"{"error":"invalid_token","error_description":"Token expired"}"#),
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.authentication, code: "invalid_token") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL))
        }
        XCTAssertEqual(issued.issuedCount, 2, "one renewal, not a loop")
        XCTAssertEqual(
            server.requests("POST", "/standard/v1/disbursements/").map { $0.headers["Authorization"] },
            [
                "Bearer airtel-token-0", "Bearer airtel-token-1",
            ])
        await server.stop()
    }

    func testRefusedClientCredentialsStopBeforeAnyDisbursement() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .POST, "/auth/oauth2/token", status: 401,
                #"{"error":"invalid_client","error_description":"Client authentication failed"}"#)
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.authentication, code: "invalid_client") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL))
        }
        XCTAssertEqual(server.requests("POST", "/standard/v1/disbursements/").count, 0)
        await server.stop()
    }

    func testADisbursementNotAnsweredInTimeIsATimeout() async throws {
        let server = try await AdapterProviderServer([
            Self.tokenRoute(),
            AdapterProviderServer.Route(method: .POST, template: "/standard/v1/disbursements") { _, _, _ in
                try await Task.sleep(for: .seconds(1))
                return AdapterReply.json(.ok, Self.answer(status: "TS", code: "DP00900001001"))
            },
        ])
        let adapter = AirtelDisbursementAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL, timeout: .milliseconds(300)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        await server.stop()
    }
}
