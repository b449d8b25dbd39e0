import Contracts
import Foundation
import HTTP
import Shared

/// Each provider's API hosts per mode: where a connector's calls go when it names no `api_base_url`
/// (the first), and the only places a live connector — or any connector in production — may point.
/// A base URL is compared by its parsed scheme, host and port exactly (never by prefix: that let
/// `https://api.stripe.com.attacker.tld` through), and its path must lie under the allowed one.
public enum ProviderHosts {
    /// An allowed API base: `https://host[:port]/path`.
    public struct Base: Sendable, Equatable {
        public let host: String
        public let port: Int
        public let path: String

        public init(_ host: String, port: Int = 443, path: String = "") {
            self.host = host
            self.port = port
            self.path = path
        }

        public var url: String { "https://\(host)\(port == 443 ? "" : ":\(port)")\(path)" }
    }

    public static func official(_ provider: ProviderName, livemode: Bool) -> String {
        allowed(provider, livemode: livemode).first?.url ?? ""
    }

    /// (live, test) defaults, as the connector rules show them.
    public static func hosts(_ provider: ProviderName) -> (live: String, test: String) {
        (official(provider, livemode: true), official(provider, livemode: false))
    }

    /// Every base a connector of `provider` in this mode may name. Several where a provider serves one
    /// host per country or keeps an older host name (each one sourced; see PROVIDERS-COLLECTIONS.md).
    public static func allowed(_ provider: ProviderName, livemode: Bool) -> [Base] {
        switch (provider, livemode) {
        case (.stripe, _): [Base("api.stripe.com")]
        case (.razorpay, _): [Base("api.razorpay.com")]
        case (.paypal, true): [Base("api-m.paypal.com"), Base("api.paypal.com")]
        case (.paypal, false): [Base("api-m.sandbox.paypal.com"), Base("api.sandbox.paypal.com")]
        case (.phonepe, true): [Base("api.phonepe.com", path: "/apis/pg")]
        case (.phonepe, false): [Base("api-preprod.phonepe.com", path: "/apis/pg-sandbox")]
        case (.paystack, _): [Base("api.paystack.co")]
        case (.flutterwave, _): [Base("api.flutterwave.com")]
        case (.mtn, true): [Base("proxy.momoapi.mtn.com"), Base("proxy.momoapi.mtn.co.rw")]
        case (.mtn, false): [Base("sandbox.momodeveloper.mtn.com")]
        case (.airtel, true): [Base("openapi.airtel.africa"), Base("openapi.airtel.co.zm")]
        case (.airtel, false): [Base("openapiuat.airtel.africa"), Base("openapiuat.airtel.co.zm")]
        case (.zamtel, _): [Base("api.zamtel.co.zm")]
        case (.ikhokha, _): [Base("api.ikhokha.com", path: "/public-api")]
        case (.standard, _): []
        }
    }

    /// Whether `url` is one of `provider`'s allowed bases (or under one).
    public static func isAllowed(_ url: String, provider: ProviderName, livemode: Bool) -> Bool {
        guard let parsed = ParsedBaseURL(url), parsed.scheme == "https" else { return false }
        return allowed(provider, livemode: livemode).contains { base in
            parsed.host == base.host && parsed.port == base.port
                && (base.path.isEmpty || parsed.path == base.path || parsed.path.hasPrefix(base.path + "/"))
        }
    }
}

/// A base URL taken apart strictly: `http(s)`, a host without userinfo or percent-escapes, a port.
public struct ParsedBaseURL: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int
    public let path: String

    public init?(_ text: String) {
        guard text.utf8.count <= 2048, !text.contains("\\"), let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host?.lowercased(), !host.isEmpty,
            components.percentEncodedHost?.contains("%") == false,
            components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
        else { return nil }
        self.scheme = scheme
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return nil }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.contains("/../"), !path.hasSuffix("/.."), !path.contains("/./") else { return nil }
        self.path = path
    }

    /// The host is an IP literal of a class `policy` refuses, or a metadata name.
    public func isRefused(by policy: OutboundAddressPolicy) -> Bool {
        if OutboundAddressPolicy.isMetadataName(host) { return true }
        guard let kind = AddressClass.classify(host) else { return false }
        return !policy.allowed.contains(kind)
    }
}
