import COpenSSL
import Foundation

/// An X.509 certificate: PayPal's webhook signing certificates, and the CA and leaf
/// certificates the provider sandbox mints to imitate them.
///
/// Fields are read once in `init` (a certificate that cannot be read is rejected there), so the
/// properties are plain values that cannot fail.
///
/// `@unchecked Sendable`: the `X509` is never modified after `init`; `init` also fills OpenSSL's
/// per-certificate extension cache, so later verification from several threads only reads it.
public final class X509Certificate: @unchecked Sendable {
    let handle: OpaquePointer
    private let fields: X509Fields

    /// Reads the first certificate in a PEM text (`-----BEGIN CERTIFICATE-----`); other PEM blocks
    /// before it are skipped and anything after it is ignored. Use `certificates(fromPEMChain:)` for a bundle.
    public convenience init(pem: String) throws {
        let handle = try MemoryBIO.reading(pem) { bio in
            guard let handle = PEM_read_bio_X509(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(CryptoError.Code.invalidPEM, "no PEM certificate found")
            }
            return handle
        }
        try self.init(owning: handle)
    }

    /// Reads exactly one DER certificate; trailing bytes are rejected.
    public convenience init(der: [UInt8]) throws {
        let handle = try der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            guard let handle = d2i_X509(nil, &cursor, buffer.count) else {
                throw CryptoError.openSSL(CryptoError.Code.invalidDER, "not a DER certificate")
            }
            guard cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                X509_free(handle)
                throw CryptoError(code: CryptoError.Code.invalidDER, reason: "trailing bytes after the certificate")
            }
            return handle
        }
        try self.init(owning: handle)
    }

    /// Takes ownership of `handle` (freed here on failure).
    init(owning handle: OpaquePointer) throws {
        do {
            self.fields = try X509Fields(reading: handle)
        } catch {
            X509_free(handle)
            throw error
        }
        self.handle = handle
    }

    deinit { X509_free(handle) }

    /// Every certificate in a PEM bundle, in order (PayPal's cert URL serves leaf then
    /// intermediates). Non-certificate PEM blocks are skipped; throws `no_certificates` when there
    /// is none and `invalid_pem` when a certificate block is damaged.
    public static func certificates(fromPEMChain pem: String) throws -> [X509Certificate] {
        let handles: [OpaquePointer] = try MemoryBIO.reading(pem) { bio in
            var handles: [OpaquePointer] = []
            while true {
                guard let handle = PEM_read_bio_X509(bio, nil, refusePassphrase, nil) else {
                    // Running out of input is reported as "no start line"; anything else is damage.
                    let last = ERR_peek_last_error()
                    if ERR_GET_LIB(last) == ERR_LIB_PEM, ERR_GET_REASON(last) == PEM_R_NO_START_LINE {
                        OpenSSLErrorQueue.clear()
                        return handles
                    }
                    handles.forEach { X509_free($0) }
                    throw CryptoError.openSSL(CryptoError.Code.invalidPEM, "damaged certificate in PEM bundle")
                }
                handles.append(handle)
            }
        }
        guard !handles.isEmpty else {
            throw CryptoError(code: CryptoError.Code.noCertificates, reason: "PEM bundle holds no certificate")
        }
        var certificates: [X509Certificate] = []
        for (index, handle) in handles.enumerated() {
            do {
                certificates.append(try X509Certificate(owning: handle))
            } catch {
                handles[(index + 1)...].forEach { X509_free($0) }
                throw error
            }
        }
        return certificates
    }

    /// The subject in one-line RFC 2253 form, most specific attribute first (`CN=…,O=…,C=US`);
    /// non-ASCII characters are kept as UTF-8 rather than escaped.
    public var subject: String { fields.subject }
    /// The issuer, in the same form as `subject`.
    public var issuer: String { fields.issuer }
    /// The subject's common name; nil when there is none or more than one (a certificate that
    /// can be read two ways must not pass a name check), or when it contains a NUL.
    public var subjectCommonName: String? { fields.subjectCommonName }
    /// DNS names from the subjectAltName extension, in order; names containing NUL are dropped.
    public var subjectAlternativeDNSNames: [String] { fields.subjectAlternativeDNSNames }
    public var notBefore: Date { fields.notBefore }
    public var notAfter: Date { fields.notAfter }
    /// The serial number as lower-case big-endian hex without leading zeros (`-` if negative).
    public var serialNumberHex: String { fields.serialNumberHex }
    /// The certificate's DER encoding.
    public var derRepresentation: [UInt8] { fields.der }
    /// PEM (`-----BEGIN CERTIFICATE-----`), 64-column base64.
    public var pemRepresentation: String { PEMArmor.encode(fields.der, label: "CERTIFICATE") }
    /// Lower-case hex SHA-256 of the DER, for pinning.
    public var sha256Fingerprint: String { Hex.encode(SHA256.hash(fields.der)) }

    /// The subject public key; throws `not_rsa` for any other algorithm.
    public var publicKey: RSAPublicKey {
        get throws {
            guard let pkey = X509_get_pubkey(handle) else {
                throw CryptoError.openSSL(CryptoError.Code.invalidCertificate, "certificate public key unreadable")
            }
            return try RSAPublicKey(owning: pkey)
        }
    }

    /// True when `notBefore ≤ date ≤ notAfter` (both ends inclusive, as in RFC 5280).
    public func isValid(at date: Date) -> Bool {
        fields.notBefore <= date && date <= fields.notAfter
    }
}
