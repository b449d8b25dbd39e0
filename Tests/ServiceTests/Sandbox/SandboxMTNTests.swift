import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// MTN MoMo disbursements through the real process: tokens, transfers accepted with 202 and named by
/// `X-Reference-Id` (a reused one is a 409, never a second transfer), settlement with a PUT callback,
/// failures, the wallet balance, and MTN's authentication answers.
final class SandboxMTNTests: XCTestCase {
    func testTransferIsPendingThenSuccessfulWithACallbackAndItsReferenceCannotBeReused() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerMTN(webhookURL: sink.url("mtn"))
        let token = try await harness.mtnToken(account)
        let reference = UUID().uuidString.lowercased()
        let body = SandboxHarness.mtnTransfer(externalID: "po_01MTN")
        let (accepted, acceptedBody) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account, json: body,
            headers: ["X-Reference-Id": reference, "X-Callback-Url": sink.url("mtn-callback")])
        XCTAssertEqual(accepted.status.code, 202, accepted.bodyText)
        XCTAssertEqual(acceptedBody, .null, "202 Accepted has no body")
        let (pending, pendingBody) = try await harness.mtn(
            .GET, "/v1_0/transfer/\(reference)", token: token, account: account)
        XCTAssertEqual(pending.status, .ok)
        XCTAssertEqual(pendingBody["status"], "PENDING")
        XCTAssertEqual(pendingBody["amount"], "100.50")
        XCTAssertEqual(pendingBody["currency"], "EUR")
        XCTAssertEqual(pendingBody["externalId"], "po_01MTN")
        XCTAssertEqual(pendingBody.value(at: "payee.partyIdType"), "MSISDN")
        XCTAssertEqual(pendingBody.value(at: "payee.partyId"), "46733123453")
        XCTAssertNil(pendingBody["financialTransactionId"])

        // The same reference again, even with the same body, is MTN's 409: never a second transfer.
        let (duplicate, duplicateBody) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account, json: body,
            headers: ["X-Reference-Id": reference])
        XCTAssertEqual(duplicate.status, .conflict)
        XCTAssertEqual(duplicateBody["code"], "RESOURCE_ALREADY_EXIST")

        // The callback goes to the request's X-Callback-Url, PUT, unsigned, with the final transfer.
        let callbacks = try await sink.wait(for: 1, name: "mtn-callback", type: "SUCCESSFUL")
        let callback = try XCTUnwrap(callbacks.first)
        XCTAssertEqual(callback.method, .PUT)
        XCTAssertEqual(callback.json["externalId"], "po_01MTN")
        XCTAssertEqual(callback.json["amount"], "100.50")
        let transactionID = try XCTUnwrap(callback.json["financialTransactionId"]?.stringValue)
        XCTAssertFalse(transactionID.isEmpty)
        XCTAssertTrue(sink.all("mtn").isEmpty, "X-Callback-Url wins over the account's URL")
        let (_, settled) = try await harness.mtn(.GET, "/v1_0/transfer/\(reference)", token: token, account: account)
        XCTAssertEqual(settled["status"], "SUCCESSFUL")
        XCTAssertEqual(settled["financialTransactionId"]?.stringValue, transactionID)
        let (_, balance) = try await harness.mtn(.GET, "/v1_0/account/balance", token: token, account: account)
        XCTAssertEqual(balance["currency"], "EUR")
        XCTAssertEqual(balance["availableBalance"], "9999999899.50", "10^12 cents less the transfer")

        // Without X-Callback-Url the account's webhook URL gets it.
        let second = UUID().uuidString.lowercased()
        let (secondAccepted, _) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account,
            json: SandboxHarness.mtnTransfer(externalID: "po_02MTN", amount: "5"), headers: ["X-Reference-Id": second])
        XCTAssertEqual(secondAccepted.status.code, 202)
        let toAccount = try await sink.wait(for: 1, name: "mtn", type: "SUCCESSFUL")
        XCTAssertEqual(toAccount.first?.json["externalId"], "po_02MTN")
        XCTAssertEqual(toAccount.first?.json["amount"], "5.00")

        let operations = try await harness.operations("?provider=mtn")
        XCTAssertEqual(operations.compactMap { $0["kind"]?.stringValue }, ["payout", "payout"])
        XCTAssertEqual(operations[0]["idempotency_key"]?.stringValue, reference)
        XCTAssertEqual(operations[0]["object_id"]?.stringValue, reference)
        XCTAssertEqual(operations[0]["coffer_id"], "po_01MTN")
        XCTAssertEqual(operations[0]["amount"]?.int64Value, 10050)
        XCTAssertEqual(operations[0]["currency"], "EUR")
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true)
        await sink.stop()
        await harness.stop()
    }

    func testUnknownPayeesFailAndMTNsAuthenticationAndValidationAnswers() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerMTN(webhookURL: sink.url("mtn"))
        let token = try await harness.mtnToken(account)
        let reference = UUID().uuidString.lowercased()
        let (accepted, _) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account,
            json: SandboxHarness.mtnTransfer(externalID: "po_01NOBODY", msisdn: "46733120000"),
            headers: ["X-Reference-Id": reference])
        XCTAssertEqual(accepted.status.code, 202)
        let failed = try await sink.wait(for: 1, name: "mtn", type: "FAILED")
        XCTAssertEqual(failed.first?.json["reason"], "PAYEE_NOT_FOUND")
        XCTAssertNil(failed.first?.json["financialTransactionId"])
        let (_, status) = try await harness.mtn(.GET, "/v1_0/transfer/\(reference)", token: token, account: account)
        XCTAssertEqual(status["status"], "FAILED")
        XCTAssertEqual(status["reason"], "PAYEE_NOT_FOUND")
        let (_, active) = try await harness.mtn(
            .GET, "/v1_0/accountholder/msisdn/46733120000/active", token: token, account: account)
        XCTAssertEqual(active["result"], false)
        let (_, balance) = try await harness.mtn(.GET, "/v1_0/account/balance", token: token, account: account)
        XCTAssertEqual(balance["availableBalance"], "10000000000.00", "nothing left the wallet")
        let (unknown, unknownBody) = try await harness.mtn(
            .GET, "/v1_0/transfer/\(UUID().uuidString.lowercased())", token: token, account: account)
        XCTAssertEqual(unknown.status, .notFound)
        XCTAssertEqual(unknownBody["code"], "RESOURCE_NOT_FOUND")

        // Refused before acceptance: nothing executes.
        let (notUUID, _) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account,
            json: SandboxHarness.mtnTransfer(externalID: "po_x"), headers: ["X-Reference-Id": "not-a-uuid"])
        XCTAssertEqual(notUUID.status, .badRequest)
        var otherCurrency = SandboxHarness.mtnTransfer(externalID: "po_x")
        if case .object(var members) = otherCurrency {
            members["currency"] = "UGX"
            otherCurrency = .object(members)
        }
        let (currency, currencyBody) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account, json: otherCurrency,
            headers: ["X-Reference-Id": UUID().uuidString.lowercased()])
        XCTAssertEqual(currency.status, .badRequest)
        XCTAssertEqual(currencyBody["code"], "INVALID_CURRENCY")
        let (badAmount, _) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: account,
            json: SandboxHarness.mtnTransfer(externalID: "po_x", amount: "-1"),
            headers: ["X-Reference-Id": UUID().uuidString.lowercased()])
        XCTAssertEqual(badAmount.status, .badRequest)

        // Authentication: the gateway's answers, and the token endpoint's.
        let (wrongKey, wrongKeyBody) = try await harness.mtn(
            .GET, "/v1_0/account/balance", token: token, account: account,
            headers: ["Ocp-Apim-Subscription-Key": "not-the-key"])
        XCTAssertEqual(wrongKey.status, .unauthorized)
        XCTAssertEqual(wrongKeyBody["statusCode"]?.int64Value, 401)
        let (badToken, _) = try await harness.mtn(.GET, "/v1_0/account/balance", token: "eyJ.nope", account: account)
        XCTAssertEqual(badToken.status, .unauthorized)
        let (environment, environmentBody) = try await harness.mtn(
            .GET, "/v1_0/account/balance", token: token, account: account,
            headers: ["X-Target-Environment": "mtnuganda"])
        XCTAssertEqual(environment.status, .forbidden)
        XCTAssertEqual(environmentBody["code"], "NOT_ALLOWED_TARGET_ENVIRONMENT")
        let login = try await harness.send(
            .POST, "/mtn/disbursement/token/",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.apiUser):wrong".utf8)),
                "Ocp-Apim-Subscription-Key": account.subscriptionKey,
            ]
        ).withJSON()
        XCTAssertEqual(login.0.status, .unauthorized)
        XCTAssertEqual(login.1["error"], "login_failed")
        let tokenBody = try await harness.send(
            .POST, "/mtn/disbursement/token/",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.apiUser):\(account.apiKey)".utf8)),
                "Ocp-Apim-Subscription-Key": account.subscriptionKey,
            ]
        ).withJSON().1
        XCTAssertEqual(tokenBody["token_type"], "access_token")
        XCTAssertEqual(tokenBody["expires_in"]?.int64Value, 3600)

        let kinds = try await harness.operations("?provider=mtn").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(kinds, ["payout", "payout_failed"])
        let accounts = try await harness.control(.GET, "/_sandbox/accounts?provider=mtn")
        XCTAssertEqual(accounts.value(at: "data.0.api_user")?.stringValue, account.apiUser)
        XCTAssertEqual(accounts.value(at: "data.0.currency"), "EUR")
        XCTAssertEqual(accounts.value(at: "data.0.target_environment"), "sandbox")
        XCTAssertFalse(accounts.jsonString.contains(account.apiKey), "secrets are masked")
        await sink.stop()
        await harness.stop()
    }
}
