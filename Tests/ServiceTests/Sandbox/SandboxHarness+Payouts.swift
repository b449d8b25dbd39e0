import Foundation
import HTTP
import Shared
import XCTest

/// Payout helpers: MTN accounts and calls, the bodies connectors send, and the payout control API.
extension SandboxHarness {
    struct MTNAccount {
        let apiUser: String
        let apiKey: String
        let subscriptionKey: String
    }

    func registerMTN(webhookURL: String?, currency: String = "EUR") async throws -> MTNAccount {
        let account = MTNAccount(
            apiUser: UUID().uuidString.lowercased(), apiKey: Self.unique(""), subscriptionKey: Self.unique(""))
        var body: [String: JSONValue] = [
            "provider": "mtn", "api_user": .string(account.apiUser), "api_key": .string(account.apiKey),
            "subscription_key": .string(account.subscriptionKey), "currency": .string(currency),
        ]
        if let webhookURL { body["webhook_url"] = .string(webhookURL) }
        try await control(.POST, "/_sandbox/accounts", .object(body), expect: 201)
        return account
    }

    /// An MTN Disbursements access token for the account.
    func mtnToken(_ account: MTNAccount) async throws -> String {
        let response = try await send(
            .POST, "/mtn/disbursement/token/",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.apiUser):\(account.apiKey)".utf8)),
                "Ocp-Apim-Subscription-Key": account.subscriptionKey,
            ])
        XCTAssertEqual(response.status, .ok, response.bodyText)
        return try XCTUnwrap(JSONValue.parse(response.body)["access_token"]?.stringValue)
    }

    /// An MTN call as a connector makes it: bearer token, subscription key, target environment.
    func mtn(
        _ method: HTTPMethod, _ path: String, token: String, account: MTNAccount, json: JSONValue? = nil,
        headers extra: HTTPHeaders = [:], timeout: Duration = .seconds(10)
    ) async throws -> (HTTPClientResponse, JSONValue) {
        var headers: HTTPHeaders = [
            "Authorization": "Bearer \(token)", "Ocp-Apim-Subscription-Key": account.subscriptionKey,
            "X-Target-Environment": "sandbox",
        ]
        if json != nil { headers.add("Content-Type", "application/json") }
        for field in extra { headers.replaceOrAdd(field.name, field.value) }
        let response = try await send(
            method, "/mtn/disbursement" + path, headers: headers, body: json?.serialized() ?? [], timeout: timeout)
        return (response, (try? JSONValue.parse(response.body)) ?? .null)
    }

    /// `POST /_sandbox/payouts/{provider}/{id}/{action}`.
    @discardableResult
    func payoutAction(_ provider: String, _ id: String, _ action: String, expect: Int = 200, line: UInt = #line)
        async throws -> JSONValue
    {
        try await control(.POST, "/_sandbox/payouts/\(provider)/\(id)/\(action)", expect: expect, line: line)
    }

    /// A RazorpayX composite payout body to a bank account.
    static func razorpayPayout(
        reference: String, amount: Int64 = 100_000, accountNumber: String = "7878780080316316",
        ifsc: String = "HDFC0001234", beneficiary: String = "1121431121541121", mode: String = "IMPS"
    ) -> JSONValue {
        [
            "account_number": .string(accountNumber), "amount": .int(amount), "currency": "INR",
            "mode": .string(mode), "purpose": "payout", "queue_if_low_balance": false,
            "reference_id": .string(reference), "narration": "Coffer payout",
            "fund_account": [
                "account_type": "bank_account",
                "bank_account": [
                    "name": "Gaurav Kumar", "ifsc": .string(ifsc), "account_number": .string(beneficiary),
                ],
                "contact": ["name": "Gaurav Kumar", "type": "vendor", "reference_id": "contact_1"],
            ],
        ]
    }

    /// A RazorpayX composite payout body to a UPI address.
    static func razorpayUPIPayout(reference: String, vpa: String, amount: Int64 = 50_000) -> JSONValue {
        [
            "account_number": "7878780080316316", "amount": .int(amount), "currency": "INR", "mode": "UPI",
            "purpose": "refund", "reference_id": .string(reference),
            "fund_account": [
                "account_type": "vpa", "vpa": ["address": .string(vpa)],
                "contact": ["name": "Asha Rao", "type": "customer"],
            ],
        ]
    }

    /// An MTN transfer body.
    static func mtnTransfer(externalID: String, msisdn: String = "46733123453", amount: String = "100.50")
        -> JSONValue
    {
        [
            "amount": .string(amount), "currency": "EUR", "externalId": .string(externalID),
            "payee": ["partyIdType": "MSISDN", "partyId": .string(msisdn)], "payerMessage": "Coffer payout",
            "payeeNote": "Thank you",
        ]
    }
}
