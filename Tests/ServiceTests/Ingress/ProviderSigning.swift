import Foundation
import HTTP
import Shared

/// How each provider signs, written from PROVIDERS.md for tests. (The Python cross-checks use the
/// providers' official SDKs instead, so these are not the only witness.)
enum ProviderSigning {
    static func stripe(secret: String, body: [UInt8], timestamp: Int64 = Int64(Date().timeIntervalSince1970))
        -> HTTPHeaders
    {
        let mac = HMAC.sha256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body)
        return ["Stripe-Signature": "t=\(timestamp),v1=\(Hex.encode(mac)),v0=deadbeef"]
    }

    static func razorpay(secret: String, body: [UInt8], eventID: String? = nil) -> HTTPHeaders {
        var headers: HTTPHeaders = [
            "X-Razorpay-Signature": Hex.encode(HMAC.sha256(key: Array(secret.utf8), message: body))
        ]
        if let eventID { headers.add("x-razorpay-event-id", eventID) }
        return headers
    }

    static func paystack(secretKey: String, body: [UInt8]) -> HTTPHeaders {
        ["x-paystack-signature": Hex.encode(HMAC.sha512(key: Array(secretKey.utf8), message: body))]
    }

    static func standard(
        secret: String, id: String, body: [UInt8], timestamp: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> HTTPHeaders {
        let key = StandardWebhooks.key(fromSecret: secret) ?? []
        return [
            "webhook-id": id, "webhook-timestamp": String(timestamp),
            "webhook-signature": StandardWebhooks.signatureHeader(
                id: id, timestamp: timestamp, body: body, keys: [key]),
        ]
    }

    static func phonePeV1(saltKey: String, saltIndex: Int, response: String) -> HTTPHeaders {
        ["X-VERIFY": Hex.encode(SHA256.hash(response + saltKey)) + "###\(saltIndex)"]
    }

    static func phonePeV2(username: String, password: String) -> HTTPHeaders {
        ["Authorization": Hex.encode(SHA256.hash("\(username):\(password)"))]
    }

    static func paypal(
        key: RSAPrivateKey, certURL: String, webhookID: String, body: [UInt8],
        transmissionID: String = UUID().uuidString,
        time: Date = Date(), algorithm: String = "SHA256withRSA"
    ) throws -> HTTPHeaders {
        let timeText = Timestamp.rfc3339(time)
        let message = Array("\(transmissionID)|\(timeText)|\(webhookID)|\(CRC32.checksum(body))".utf8)
        let signature = try key.signature(for: message, digest: algorithm == "SHA1withRSA" ? .sha1 : .sha256)
        return [
            "PAYPAL-TRANSMISSION-ID": transmissionID, "PAYPAL-TRANSMISSION-TIME": timeText,
            "PAYPAL-TRANSMISSION-SIG": Base64.encode(signature), "PAYPAL-CERT-URL": certURL,
            "PAYPAL-AUTH-ALGO": algorithm,
        ]
    }

    static func stripeEvent(
        id: String = "evt_\(UUID().uuidString.prefix(12))", type: String = "payment_intent.succeeded",
        objectID: String = "pi_\(UUID().uuidString.prefix(10))", amount: Int64 = 2000, cofferID: String? = nil
    ) -> [UInt8] {
        let metadata = cofferID.map { #"{"coffer_payment_id":"\#($0)"}"# } ?? "{}"
        return Array(
            """
            {"id":"\(id)","object":"event","api_version":"2024-06-20","created":\(Int(Date().timeIntervalSince1970)),"livemode":false,\
            "type":"\(type)","data":{"object":{"id":"\(objectID)","object":"payment_intent","amount":\(amount),\
            "amount_received":\(amount),"currency":"usd","status":"succeeded","metadata":\(metadata)}}}
            """.utf8)
    }
}
