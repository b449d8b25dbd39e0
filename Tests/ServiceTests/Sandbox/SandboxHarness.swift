import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// A running `coffer-sandbox` on a fresh database, with helpers to register accounts, call each
/// provider's API the way a connector does, and drive the control API.
final class SandboxHarness: @unchecked Sendable {
    let database: TestDatabase
    private(set) var process: ServiceProcess
    let client = LoopHTTPClient()
    let environment: [String: String]
    var baseURL: String { process.baseURL }

    /// Short delays and retries so tests run in seconds.
    static let fastEnvironment = [
        "SANDBOX_AUTO_COMPLETE_DELAY": "200ms", "SANDBOX_WEBHOOK_ATTEMPTS": "4", "SANDBOX_WEBHOOK_RETRY_BASE": "100ms",
        "SANDBOX_WEBHOOK_RETRY_MAX": "300ms", "SANDBOX_WEBHOOK_TIMEOUT": "2s", "SANDBOX_WEBHOOK_REORDER_WINDOW": "10s",
        "SANDBOX_OPERATIONS_FLUSH_INTERVAL": "100ms", "SANDBOX_TIMEOUT_HOLD": "3s", "SANDBOX_PAYOUT_DELAY": "150ms",
    ]

    static func start(extraEnvironment: [String: String] = [:]) async throws -> SandboxHarness {
        let database = try await TestDatabase.create()
        var environment = TestStackEnvironment.variables(database: database, extra: fastEnvironment)
        for (key, value) in extraEnvironment { environment[key] = value }
        let process = try ServiceProcess(binary: "coffer-sandbox", environment: environment)
        try await process.waitUntilReady()
        return SandboxHarness(database: database, process: process, environment: environment)
    }

    private init(database: TestDatabase, process: ServiceProcess, environment: [String: String]) {
        self.database = database
        self.process = process
        self.environment = environment
    }

    func stop() async {
        await process.stop()
        try? await database.drop()
    }

    /// Stops the process and starts a new one on the same database and port (a sandbox restart).
    func restart() async throws {
        let port = process.port
        await process.stop()
        process = try ServiceProcess(binary: "coffer-sandbox", port: port, environment: environment)
        try await process.waitUntilReady()
    }

    // MARK: Raw calls

    func send(
        _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        timeout: Duration = .seconds(10)
    ) async throws -> HTTPClientResponse {
        let url = path.hasPrefix("http") ? path : baseURL + path
        return try await client.send(
            HTTPClientRequest(
                method: method, url: url, headers: headers, body: body, timeout: timeout,
                retryPolicy: RetryPolicy.none, isIdempotent: false))
    }

    /// A control API call with a JSON body; fails the test unless the status is `expect`.
    @discardableResult
    func control(
        _ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, expect: Int = 200,
        line: UInt = #line
    ) async throws -> JSONValue {
        let response = try await send(
            method, path, headers: ["Content-Type": "application/json"], body: body?.serialized() ?? [])
        XCTAssertEqual(response.status.code, expect, response.bodyText, line: line)
        return (try? JSONValue.parse(response.body)) ?? .null
    }

    func behaviour(_ provider: String, account: String? = nil, _ fields: [String: JSONValue], line: UInt = #line)
        async throws
    {
        var body = fields
        body["provider"] = .string(provider)
        if let account { body["account"] = .string(account) }
        try await control(.POST, "/_sandbox/behaviour", .object(body), line: line)
    }

    func operations(_ query: String = "") async throws -> [JSONValue] {
        try await control(.GET, "/_sandbox/operations" + query)["data"]?.arrayValue ?? []
    }

    func summary(_ query: String = "") async throws -> JSONValue {
        try await control(.GET, "/_sandbox/operations/summary" + query)
    }

    func webhookRecords(_ query: String) async throws -> [JSONValue] {
        try await control(.GET, "/_sandbox/webhooks" + query)["data"]?.arrayValue ?? []
    }

    // MARK: Accounts

    struct StripeAccount {
        let secretKey: String
        let webhookSecret: String
    }

    struct RazorpayAccount {
        let keyID: String
        let keySecret: String
        let webhookSecret: String
    }

    struct PayPalAccount {
        let clientID: String
        let clientSecret: String
        let webhookID: String
    }

    static func unique(_ prefix: String) -> String { prefix + Hex.encode(SecureRandom.bytes(8)) }

    func registerStripe(webhookURL: String?) async throws -> StripeAccount {
        let account = StripeAccount(secretKey: Self.unique("sk_test_"), webhookSecret: Self.unique("whsec_"))
        var body: [String: JSONValue] = [
            "provider": "stripe", "secret_key": .string(account.secretKey),
            "webhook_secret": .string(account.webhookSecret),
        ]
        if let webhookURL { body["webhook_url"] = .string(webhookURL) }
        try await control(.POST, "/_sandbox/accounts", .object(body), expect: 201)
        return account
    }

    func registerRazorpay(webhookURL: String?) async throws -> RazorpayAccount {
        let account = RazorpayAccount(
            keyID: Self.unique("rzp_test_"), keySecret: Self.unique(""), webhookSecret: Self.unique("rzpwh_"))
        var body: [String: JSONValue] = [
            "provider": "razorpay", "key_id": .string(account.keyID), "key_secret": .string(account.keySecret),
            "webhook_secret": .string(account.webhookSecret),
        ]
        if let webhookURL { body["webhook_url"] = .string(webhookURL) }
        try await control(.POST, "/_sandbox/accounts", .object(body), expect: 201)
        return account
    }

    func registerPayPal(webhookURL: String?) async throws -> PayPalAccount {
        let account = PayPalAccount(
            clientID: Self.unique("AZ"), clientSecret: Self.unique("EL"), webhookID: Self.unique("WH-"))
        var body: [String: JSONValue] = [
            "provider": "paypal", "client_id": .string(account.clientID),
            "client_secret": .string(account.clientSecret), "webhook_id": .string(account.webhookID),
        ]
        if let webhookURL { body["webhook_url"] = .string(webhookURL) }
        try await control(.POST, "/_sandbox/accounts", .object(body), expect: 201)
        return account
    }

    // MARK: Provider calls, as connectors make them

    /// A Stripe call: bearer key, form-encoded parameters.
    func stripe(
        _ method: HTTPMethod, _ path: String, key: String, form: [(String, String)] = [], idempotencyKey: String? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> (HTTPClientResponse, JSONValue) {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(key)"]
        if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
        let encoded = form.map { CustomerPageEncoding.escape($0.0) + "=" + CustomerPageEncoding.escape($0.1) }.joined(
            separator: "&")
        if method == .GET {
            let response = try await send(
                .GET, "/stripe" + path + (encoded.isEmpty ? "" : "?" + encoded), headers: headers, timeout: timeout)
            return (response, (try? JSONValue.parse(response.body)) ?? .null)
        }
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        let response = try await send(
            method, "/stripe" + path, headers: headers, body: Array(encoded.utf8), timeout: timeout)
        return (response, (try? JSONValue.parse(response.body)) ?? .null)
    }

    /// A Razorpay call: Basic key_id:key_secret, JSON body.
    func razorpay(
        _ method: HTTPMethod, _ path: String, keyID: String, keySecret: String, json: JSONValue? = nil,
        headers extra: HTTPHeaders = [:]
    ) async throws -> (HTTPClientResponse, JSONValue) {
        var headers: HTTPHeaders = ["Authorization": "Basic " + Base64.encode(Array("\(keyID):\(keySecret)".utf8))]
        for field in extra { headers.add(field.name, field.value) }
        if json != nil { headers.add("Content-Type", "application/json") }
        let response = try await send(method, "/razorpay" + path, headers: headers, body: json?.serialized() ?? [])
        return (response, (try? JSONValue.parse(response.body)) ?? .null)
    }

    /// A PayPal access token for the account.
    func paypalToken(_ account: PayPalAccount) async throws -> String {
        let response = try await send(
            .POST, "/paypal/v1/oauth2/token",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.clientID):\(account.clientSecret)".utf8)),
                "Content-Type": "application/x-www-form-urlencoded",
            ], body: Array("grant_type=client_credentials".utf8))
        XCTAssertEqual(response.status, .ok, response.bodyText)
        return try XCTUnwrap(JSONValue.parse(response.body)["access_token"]?.stringValue)
    }

    /// A PayPal call: bearer token, JSON body, optional `PayPal-Request-Id`.
    func paypal(
        _ method: HTTPMethod, _ path: String, token: String, json: JSONValue? = nil, requestID: String? = nil,
        headers extra: HTTPHeaders = [:]
    ) async throws -> (HTTPClientResponse, JSONValue) {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        if let requestID { headers.add("PayPal-Request-Id", requestID) }
        for field in extra { headers.add(field.name, field.value) }
        let response = try await send(method, "/paypal" + path, headers: headers, body: json?.serialized() ?? [])
        return (response, (try? JSONValue.parse(response.body)) ?? .null)
    }

    /// Polls until `condition` holds (or fails the test after `timeout`).
    func eventually(
        _ what: String, timeout: Duration = .seconds(10), line: UInt = #line,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("timed out waiting for: \(what)", line: line)
    }
}

/// Percent-encoding for form bodies and query strings in tests.
enum CustomerPageEncoding {
    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}
