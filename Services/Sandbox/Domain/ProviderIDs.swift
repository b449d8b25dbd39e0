import Shared

/// Object ids shaped like each provider's: Stripe `pi_` + 24 alphanumerics, Razorpay `order_` + 14,
/// PayPal 17 upper-case alphanumerics. Random, so ids never repeat across sandbox restarts.
enum ProviderIDs {
    private static let alphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let upperAlphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// Stripe-style: `pi_3Mtw…` (24 characters after the prefix).
    static func stripe(_ prefix: String) -> String { prefix + "_" + random(24, from: alphanumerics) }

    /// Razorpay-style: `order_EKwxwAgItmmXdp` (14 characters after the prefix).
    static func razorpay(_ prefix: String) -> String { prefix + "_" + random(14, from: alphanumerics) }

    /// Razorpay-style, but the same for the same `material` (RazorpayX reuses a contact or fund account
    /// when a composite payout names the same details again).
    static func razorpay(_ prefix: String, derivedFrom material: String) -> String {
        let digest = Digest.sha256.hash(Array(material.utf8))
        let characters = digest.prefix(14).map { alphanumerics[Int($0) % alphanumerics.count] }
        return prefix + "_" + String(decoding: characters, as: UTF8.self)
    }

    /// PayPal-style order, capture, authorization and refund ids: `5O190127TN364715T`.
    static func paypal() -> String { random(17, from: upperAlphanumerics) }

    /// PayPal webhook event ids: `WH-2WR32451HC0233532-67976317FL4543714`.
    static func paypalEvent() -> String {
        "WH-" + random(19, from: upperAlphanumerics) + "-" + random(17, from: upperAlphanumerics)
    }

    /// A random RFC 4122 version-4 UUID in lower case (PayPal transmission ids, debug ids).
    static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { byte -> String in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }

    /// Random characters from `alphabet`, without modulo bias.
    static func random(_ count: Int, from alphabet: [UInt8]) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            bytes.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
