import Foundation
import HTTP
import Shared
import Synchronization
import TestSupport
import XCTest

/// A tiny HTTP server standing in for ingress: records every webhook the sandbox sends to
/// `POST /hooks/{name}` (or PUTs there, as MTN does), and can answer 500 to the first few on purpose.
final class WebhookSink: Sendable {
    struct Received: Sendable {
        let name: String
        let method: HTTPMethod
        let headers: HTTPHeaders
        let body: [UInt8]
        let at: ContinuousClock.Instant

        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
        /// Stripe `type`, Razorpay `event`, PayPal `event_type`; MTN's callbacks have only a `status`.
        var eventType: String? {
            json["type"]?.stringValue ?? json["event"]?.stringValue ?? json["event_type"]?.stringValue
                ?? json["status"]?.stringValue
        }
        /// Stripe and PayPal `id`; Razorpay's header.
        var eventID: String? { headers["x-razorpay-event-id"] ?? json["id"]?.stringValue }
    }

    /// What arrived, and how many more to answer with a 500.
    final class Record: Sendable {
        let received = Mutex<[Received]>([])
        let failuresToAnswer = Mutex<Int>(0)
    }

    let record = Record()
    private let server: HTTPServer

    /// Answer 500 to the next `count` webhooks.
    func failNext(_ count: Int) { record.failuresToAnswer.withLock { $0 = count } }

    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    func url(_ name: String) -> String { baseURL + "/hooks/" + name }

    static func start() async throws -> WebhookSink {
        let sink = WebhookSink()
        try await sink.server.start()
        return sink
    }

    private init() {
        let router = Router()
        let record = self.record
        let receive: RouteHandler = { request, context in
            let fail = record.failuresToAnswer.withLock { remaining -> Bool in
                guard remaining > 0 else { return false }
                remaining -= 1
                return true
            }
            record.received.withLock {
                $0.append(
                    Received(
                        name: context.parameter("name"), method: request.method, headers: request.headers,
                        body: request.body, at: .now))
            }
            return fail
                ? .text(.internalServerError, "failing on purpose")
                : .json(.ok, bytes: Array(#"{"received":true}"#.utf8))
        }
        router.post("/hooks/{name}", receive)
        router.put("/hooks/{name}", receive)
        let logger = TestEnvironment.logger()
        let metrics = MetricsRegistry()
        server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
            responder: RouterResponder(router: router, logger: logger, metrics: metrics, accessLog: false),
            logger: logger, metrics: metrics)
    }

    func stop() async { await server.shutdown() }

    func all(_ name: String? = nil) -> [Received] {
        record.received.withLock { list in list.filter { name == nil || $0.name == name } }
    }

    /// Waits until at least `count` webhooks (for `name`, of `type` when given) have arrived.
    @discardableResult
    func wait(
        for count: Int, name: String? = nil, type: String? = nil, timeout: Duration = .seconds(10),
        line: UInt = #line
    ) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matching = all(name).filter { type == nil || $0.eventType == type }
            if matching.count >= count { return matching }
            if ContinuousClock.now >= deadline {
                XCTFail(
                    "expected \(count) webhooks\(type.map { " of type \($0)" } ?? ""), got \(matching.count): "
                        + all(name).compactMap(\.eventType).joined(separator: ", "), line: line)
                return matching
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }
}

/// Verifies webhooks exactly as each provider documents (PROVIDERS.md), independently of the sandbox's code.
enum WebhookVerification {
    /// `Stripe-Signature: t=…,v1=…` over `"t.body"` with the whole `whsec_…` string as the key.
    static func stripe(_ webhook: WebhookSink.Received, secret: String) -> Bool {
        guard let header = webhook.headers["Stripe-Signature"] else { return false }
        var timestamp: String?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = pair[1] } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, let seconds = Int64(timestamp), abs(Int64(Date().timeIntervalSince1970) - seconds) < 300
        else { return false }
        let expected = Hex.encode(
            HMAC.sha256(key: Array(secret.utf8), message: Array((timestamp + ".").utf8) + webhook.body))
        return signatures.contains { ConstantTime.equals($0, expected) }
    }

    /// `X-Razorpay-Signature` = hex HMAC-SHA256 of the raw body with the webhook secret.
    static func razorpay(_ webhook: WebhookSink.Received, secret: String) -> Bool {
        guard let signature = webhook.headers["X-Razorpay-Signature"] else { return false }
        return ConstantTime.equals(signature, Hex.encode(HMAC.sha256(key: Array(secret.utf8), message: webhook.body)))
    }

    /// RSA PKCS#1 v1.5 SHA-256 over `id|time|webhook id|crc32(body)` with the pinned certificate's key.
    static func paypal(_ webhook: WebhookSink.Received, webhookID: String, certificate: X509Certificate) -> Bool {
        let headers = webhook.headers
        guard headers["PAYPAL-AUTH-ALGO"] == "SHA256withRSA", let id = headers["PAYPAL-TRANSMISSION-ID"],
            let time = headers["PAYPAL-TRANSMISSION-TIME"], let signatureText = headers["PAYPAL-TRANSMISSION-SIG"],
            let signature = Base64.decode(signatureText), let key = try? certificate.publicKey
        else { return false }
        let message = Array("\(id)|\(time)|\(webhookID)|\(CRC32.checksum(webhook.body))".utf8)
        return key.isValidSignature(signature, for: message, digest: .sha256)
    }
}
