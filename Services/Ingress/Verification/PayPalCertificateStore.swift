import Foundation
import HTTP
import Shared
import Synchronization

/// PayPal's webhook-signing certificates, fetched only over HTTPS from PayPal hosts, checked (expiry,
/// subject, chain to the system's trusted roots) and cached for a day. A connector can pin
/// certificates instead, for offline and test use; pinned ones are used as given (expiry checked).
final class PayPalCertificateStore: Sendable {
    static let defaultHosts: Set<String> = [
        "api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com",
    ]
    static let subjects: Set<String> = [
        "messageverificationcerts.paypal.com", "messageverificationcerts.sandbox.paypal.com",
    ]

    private let client: any HTTPClient
    private let allowedHosts: Set<String>
    private let rootsPath: String
    private let roots = Mutex<[X509Certificate]?>(nil)
    private let cache = Mutex<[String: (certificate: X509Certificate, fetchedAt: Date)]>([:])
    private let logger: Logger

    init(
        client: any HTTPClient, allowedHosts: Set<String> = defaultHosts,
        rootsPath: String = "/etc/ssl/certs/ca-certificates.crt", logger: Logger
    ) {
        self.client = client
        self.allowedHosts = allowedHosts
        self.rootsPath = rootsPath
        self.logger = logger
    }

    /// The checked certificate behind `url`, from cache or PayPal.
    func certificate(at url: String, now: Date) async -> Result<X509Certificate, WebhookRejection> {
        guard let parsed = URL(string: url), parsed.scheme == "https", let host = parsed.host?.lowercased(),
            allowedHosts.contains(host), parsed.user == nil, parsed.port == nil || parsed.port == 443
        else {
            logger.warning("PayPal certificate URL refused", ["host": .string(URL(string: url)?.host ?? "?")])
            return .failure(.untrustedCertificate)
        }
        if let cached = cache.withLock({ $0[url] }), now.timeIntervalSince(cached.fetchedAt) < 86_400,
            cached.certificate.isValid(at: now)
        {
            return .success(cached.certificate)
        }
        let response: HTTPClientResponse
        do {
            // The URL comes from a webhook's headers: public addresses only, and a certificate's size at most.
            var request = HTTPClientRequest(method: .GET, url: url, timeout: .seconds(5))
            request.maxResponseBytes = 64 << 10
            request.addressPolicy = .publicOnly
            response = try await client.send(request)
        } catch {
            logger.warning("PayPal certificate fetch failed", ["host": .string(host), "error": .string("\(error)")])
            return .failure(Self.unavailable)
        }
        guard response.status == .ok,
            let chain = try? X509Certificate.certificates(fromPEMChain: String(decoding: response.body, as: UTF8.self)),
            let leaf = chain.first
        else { return .failure(Self.unavailable) }
        guard Self.hasPayPalSubject(leaf) else { return .failure(.untrustedCertificate) }
        do {
            try leaf.verifyChain(intermediates: Array(chain.dropFirst()), trustedRoots: trustedRoots(), at: now)
        } catch {
            logger.warning("PayPal certificate chain refused", ["error": .string("\(error)")])
            return .failure(.untrustedCertificate)
        }
        cache.withLock { $0[url] = (leaf, now) }
        return .success(leaf)
    }

    static func hasPayPalSubject(_ certificate: X509Certificate) -> Bool {
        if let name = certificate.subjectCommonName?.lowercased(), subjects.contains(name) { return true }
        return certificate.subjectAlternativeDNSNames.contains { subjects.contains($0.lowercased()) }
    }

    private func trustedRoots() -> [X509Certificate] {
        roots.withLock { roots in
            if let roots { return roots }
            let bundle = (try? String(contentsOfFile: rootsPath, encoding: .utf8)) ?? ""
            let loaded = (try? X509Certificate.certificates(fromPEMChain: bundle)) ?? []
            roots = loaded
            return loaded
        }
    }

    /// Our side could not get the certificate: the sender must retry.
    static let unavailable = WebhookRejection(
        status: .serviceUnavailable, code: "certificate_unavailable",
        message: "PayPal's signing certificate could not be fetched; retry later.")
}
