import Foundation
import HTTP
import ProviderKit
import Shared
import Synchronization
import XCTest

@testable import Payouts

/// MTN's token endpoint and bearer check for the MoMo tests: issues `momo-token-0`, `momo-token-1`, …
final class MoMoFakeTokens: Sendable {
    private let state = Mutex((issued: 0, revoked: Set<String>()))

    var issuedCount: Int { state.withLock { $0.issued } }
    func revoke(_ token: String) { state.withLock { _ = $0.revoked.insert(token) } }

    var route: AdapterProviderServer.Route {
        AdapterProviderServer.Route(method: .POST, template: "/disbursement/token") { _, _, _ in
            let token = self.state.withLock { state in
                defer { state.issued += 1 }
                return "momo-token-\(state.issued)"
            }
            return AdapterReply.json(
                .ok, #"{"access_token":"\#(token)","token_type":"access_token","expires_in":3600}"#)
        }
    }

    func authenticated(_ method: HTTPMethod, _ template: String, _ reply: @escaping AdapterProviderServer.Reply)
        -> AdapterProviderServer.Route
    {
        AdapterProviderServer.Route(method: method, template: template) { request, context, index in
            let header = request.headers["Authorization"] ?? ""
            let valid = self.state.withLock { state in
                header.hasPrefix("Bearer momo-token-") && !state.revoked.contains(String(header.dropFirst(7)))
            }
            guard valid else {
                return AdapterReply.json(401, #"{"statusCode":401,"message":"Access denied due to invalid token."}"#)
            }
            return try await reply(request, context, index)
        }
    }

    func authenticated(_ method: HTTPMethod, _ template: String, status: HTTPStatus = .ok, _ body: String)
        -> AdapterProviderServer.Route
    {
        authenticated(method, template) { _, _, _ in
            body.isEmpty ? HTTPResponse(status: status) : AdapterReply.json(status, body)
        }
    }
}

/// The MTN MoMo disbursement adapter against a fake MoMo over real HTTP.
final class PayoutAdapterMTNTests: XCTestCase {
    let apiKey = "momo-api-key-secret"
    let subscriptionKey = "momo-subscription-key-secret"

    func connector(
        _ base: String, livemode: Bool = false, environment: String? = "mtnzambia", timeout: Duration = .seconds(5)
    )
        -> ProviderConnector
    {
        var credentials = [
            "subscription_key": subscriptionKey, "api_user": "c72025f5-5cd1-4630-99e4-8ba4722fad56", "api_key": apiKey,
        ]
        credentials["target_environment"] = environment
        return AdapterFixtures.connector(
            .mtn, base: base, livemode: livemode, credentials: credentials, timeout: timeout)
    }

    func request(amount: Money = Money(minorUnits: 15_075, currency: .zmw), key: String = "po_mtn_1")
        -> ProviderPayoutRequest
    {
        PayoutFixtures.request(
            id: "po_mtn_1", amount: amount, destination: PayoutFixtures.wallet, narration: "Payout June", key: key)
    }

    static func transfer(status: String, amount: String = "150.75", currency: String = "ZMW", reason: String = "")
        -> String
    {
        #"{"amount":"\#(amount)","currency":"\#(currency)","financialTransactionId":"363440463","externalId":"po_mtn_1","payee":{"partyIdType":"MSISDN","partyId":"260971234567"},"payerMessage":"Payout June","payeeNote":"Payout June","status":"\#(status)"\#(reason)}"#
    }

    // MARK: Send

    func testSendFetchesATokenAndPostsTheTransferWithADerivedReferenceID() async throws {
        let tokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/disbursement/v1_0/transfer", status: .accepted, ""),
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.send(request(), connector: connector(server.baseURL))

        let referenceID = "10eaaa66-b234-44e1-af6b-01515244a703"
        XCTAssertEqual(
            state,
            ProviderPayoutState(
                providerPayoutID: referenceID, status: .pending, amount: 15_075, currency: .zmw, rawStatus: "ACCEPTED"))
        let token = try XCTUnwrap(server.requests("POST", "/disbursement/token/").first)
        XCTAssertEqual(token.target, "/disbursement/token/")
        XCTAssertEqual(
            token.headers["Authorization"],
            "Basic \(Base64.encode(Array("c72025f5-5cd1-4630-99e4-8ba4722fad56:\(apiKey)".utf8)))")
        XCTAssertEqual(token.headers["Ocp-Apim-Subscription-Key"], subscriptionKey)
        let sent = try XCTUnwrap(server.requests("POST", "/disbursement/v1_0/transfer").first)
        XCTAssertEqual(sent.headers["Authorization"], "Bearer momo-token-0")
        XCTAssertEqual(sent.headers["X-Reference-Id"], referenceID)
        XCTAssertEqual(sent.headers["X-Target-Environment"], "mtnzambia")
        XCTAssertEqual(sent.headers["Ocp-Apim-Subscription-Key"], subscriptionKey)
        XCTAssertEqual(sent.headers["Content-Type"], "application/json")
        let body = try XCTUnwrap(sent.json)
        XCTAssertEqual(body["amount"]?.stringValue, "150.75")
        XCTAssertEqual(body["currency"]?.stringValue, "ZMW")
        XCTAssertEqual(body["externalId"]?.stringValue, "po_mtn_1")
        XCTAssertEqual(body.value(at: "payee.partyIdType")?.stringValue, "MSISDN")
        XCTAssertEqual(body.value(at: "payee.partyId")?.stringValue, "260971234567")
        XCTAssertEqual(body["payerMessage"]?.stringValue, "Payout June")
        XCTAssertEqual(body["payeeNote"]?.stringValue, "Payout June")

        _ = try await adapter.send(
            request(amount: Money(minorUnits: 5000, currency: .ugx)), connector: connector(server.baseURL))
        let again = try XCTUnwrap(server.requests("POST", "/disbursement/v1_0/transfer").last)
        XCTAssertEqual(
            again.json?["amount"]?.stringValue, "5000", "major units, exact for a currency without minor units")
        XCTAssertEqual(
            again.headers["X-Reference-Id"], referenceID, "a retry of the same payout reuses its reference id")
        XCTAssertEqual(tokens.issuedCount, 1, "the token is cached until it expires")
        await server.stop()
    }

    func testTheReferenceIDIsAVersion4UUIDDerivedFromTheKeyAlone() {
        let first = PayoutReferenceUUID.make(from: "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C")
        XCTAssertEqual(first, "c61881db-cc7f-49fe-b657-f083b7bfe40e")
        XCTAssertEqual(PayoutReferenceUUID.make(from: "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C"), first)
        XCTAssertNotEqual(PayoutReferenceUUID.make(from: "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7D"), first)
        for key in ["a", "po_mtn_1", "ключ", String(repeating: "x", count: 255)] {
            let uuid = Array(PayoutReferenceUUID.make(from: key))
            XCTAssertEqual(uuid.count, 36)
            XCTAssertEqual(uuid[14], "4", "version 4")
            XCTAssertTrue("89ab".contains(uuid[19]), "RFC 4122 variant")
            XCTAssertEqual([uuid[8], uuid[13], uuid[18], uuid[23]], ["-", "-", "-", "-"])
        }
    }

    func testADuplicatedReferenceIDReportsTheTransferAlreadyMade() async throws {
        let tokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(
                .POST, "/disbursement/v1_0/transfer", status: .conflict,
                #"{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}"#),
            tokens.authenticated(.GET, "/disbursement/v1_0/transfer/{id}", Self.transfer(status: "SUCCESSFUL")),
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.send(request(), connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .processed)
        XCTAssertEqual(state.providerPayoutID, "10eaaa66-b234-44e1-af6b-01515244a703")
        XCTAssertEqual(
            server.requests("GET", "/disbursement/v1_0/transfer/10eaaa66-b234-44e1-af6b-01515244a703").count, 1)
        await server.stop()
    }

    func testOnlyWalletsArePaidAndLiveConnectorsNameTheirEnvironment() async throws {
        let tokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/disbursement/v1_0/transfer", status: .accepted, ""),
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.invalidRequest, code: "destination_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(destination: PayoutFixtures.bank), connector: connector(server.baseURL))
        }
        await assertProviderError(.invalidRequest, code: "invalid_destination") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(destination: .mobileMoney(msisdn: "+260971234567", holderName: "M")),
                connector: connector(server.baseURL))
        }
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL, livemode: true, environment: nil))
        }
        XCTAssertEqual(server.requests.count, 0)
        _ = try await adapter.send(request(), connector: connector(server.baseURL, environment: nil))
        XCTAssertEqual(server.requests.last?.headers["X-Target-Environment"], "sandbox")
        XCTAssertEqual(adapter.destinations, [.mobileMoney])
        await server.stop()
    }

    // MARK: Statuses and lookup

    func testEveryTransferStatusMapsAndAnUnknownReferenceIsNil() async throws {
        let tokens = MoMoFakeTokens()
        let bodies = [
            "ok": Self.transfer(status: "SUCCESSFUL"),
            "wait": Self.transfer(status: "PENDING"),
            "payee": Self.transfer(status: "FAILED", reason: #","reason":"PAYEE_NOT_FOUND""#),
            "funds": Self.transfer(
                status: "FAILED",
                reason: #","reason":{"code":"NOT_ENOUGH_FUNDS","message":"The payer does not have enough funds."}"#),
            "rejected": Self.transfer(status: "REJECTED"),
            "timeout": Self.transfer(status: "TIMEOUT"),
            "weird": Self.transfer(status: "TELEPORTED"),
            "inexact": Self.transfer(status: "SUCCESSFUL", amount: "150.755"),
        ]
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/disbursement/v1_0/transfer/{id}") { _, context, _ in
                guard let body = bodies[context.parameter("id")] else {
                    return AdapterReply.json(
                        404, #"{"code":"RESOURCE_NOT_FOUND","message":"Requested resource was not found."}"#)
                }
                return AdapterReply.json(.ok, body)
            },
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        let momo = connector(server.baseURL)
        let expected: [(String, ProviderPayoutState.Status)] = [
            ("ok", .processed), ("wait", .pending), ("payee", .failed(code: "PAYEE_NOT_FOUND", message: nil)),
            ("funds", .failed(code: "NOT_ENOUGH_FUNDS", message: "The payer does not have enough funds.")),
            ("rejected", .failed(code: "REJECTED", message: nil)), ("timeout", .failed(code: "TIMEOUT", message: nil)),
        ]
        for (id, status) in expected {
            let state = try await adapter.fetch(providerPayoutID: id, reference: "po_mtn_1", connector: momo)
            XCTAssertEqual(state?.status, status, id)
            XCTAssertEqual(state?.amount, 15_075)
            XCTAssertEqual(state?.currency, .zmw)
            XCTAssertEqual(state?.providerPayoutID, id)
        }
        for id in ["weird", "inexact"] {
            await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
                try await adapter.fetch(providerPayoutID: id, reference: "po_mtn_1", connector: momo)
            }
        }
        let byReference = try await adapter.fetch(providerPayoutID: nil, reference: "po_mtn_1", connector: momo)
        XCTAssertNil(byReference, "404: the transfer was never received")
        XCTAssertEqual(server.requests.last?.target, "/disbursement/v1_0/transfer/10eaaa66-b234-44e1-af6b-01515244a703")
        await server.stop()
    }

    // MARK: Balance and tokens

    func testBalanceIsTheAvailableBalanceInTheWalletsCurrency() async throws {
        let tokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(
                .GET, "/disbursement/v1_0/account/balance", #"{"availableBalance":"1250.5","currency":"ZMW"}"#),
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        let zmw = try await adapter.balance(currency: .zmw, connector: connector(server.baseURL))
        XCTAssertEqual(zmw, 125_050)
        let ghs = try await adapter.balance(currency: .ghs, connector: connector(server.baseURL))
        XCTAssertNil(ghs, "the wallet holds another currency")
        await server.stop()
    }

    func testA401RenewsTheTokenOnce() async throws {
        let tokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/disbursement/v1_0/transfer", status: .accepted, ""),
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        _ = try await adapter.send(request(), connector: connector(server.baseURL))
        tokens.revoke("momo-token-0")
        let state = try await adapter.send(request(), connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .pending)
        XCTAssertEqual(tokens.issuedCount, 2)
        XCTAssertEqual(
            server.requests("POST", "/disbursement/v1_0/transfer").last?.headers["Authorization"], "Bearer momo-token-1"
        )
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKindsWithoutRetriesOrLeakedSecrets() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400, #"{"code":"PAYEE_NOT_FOUND","message":"Payee 260971234567 does not exist"}"#, .invalidRequest,
                "PAYEE_NOT_FOUND"
            ),
            (403, #"{"statusCode":403,"message":"Key \#(subscriptionKey) not allowed"}"#, .authentication, nil),
            (429, #"{"statusCode":429,"message":"Rate limit is exceeded."}"#, .rateLimited, nil),
            (
                500, #"{"code":"INTERNAL_PROCESSING_ERROR","message":"An internal error occurred."}"#, .unavailable,
                "INTERNAL_PROCESSING_ERROR"
            ),
            (503, "<html>Service Unavailable</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let tokens = MoMoFakeTokens()
            let server = try await AdapterProviderServer([
                tokens.route, tokens.authenticated(.POST, "/disbursement/v1_0/transfer", status: status, body),
            ])
            let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.send(request(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            assertNoSecrets(error?.description, [apiKey, subscriptionKey, "momo-token-0", "260971234567"])
            XCTAssertEqual(
                server.requests("POST", "/disbursement/v1_0/transfer").count, 1, "\(status): the adapter must not retry"
            )
            await server.stop()
        }
    }

    func testRefusedAPIUserIsAnAuthenticationErrorBeforeAnyTransfer() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .POST, "/disbursement/token", status: 401,
                #"{"error":"login_failed","error_description":"Login failed for \#(apiKey)"}"#)
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.authentication, code: "login_failed") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL))
        }
        assertNoSecrets(error?.description, [apiKey])
        XCTAssertEqual(server.requests("POST", "/disbursement/v1_0/transfer").count, 0)
        await server.stop()
    }

    func testATransferThatIsNotAnsweredInTimeIsATimeout() async throws {
        let tokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.POST, "/disbursement/v1_0/transfer") { _, _, _ in
                try await Task.sleep(for: .seconds(1))
                return HTTPResponse(status: .accepted)
            },
        ])
        let adapter = MTNDisbursementAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL, timeout: .milliseconds(300)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        await server.stop()
    }
}
