import COpenSSL
import Foundation

extension X509Certificate {
    /// A self-signed CA certificate (v3, SHA-256, random 128-bit serial, critical
    /// basicConstraints CA:TRUE, keyUsage keyCertSign and cRLSign, subjectKeyIdentifier).
    /// For tests and the provider sandbox, not for a production PKI.
    public static func makeSelfSignedAuthority(
        commonName: String, key: RSAPrivateKey, notBefore: Date, notAfter: Date
    ) throws -> X509Certificate {
        try CertificateBuilder(
            commonName: commonName, dnsNames: [], publicKey: key.publicKey, notBefore: notBefore, notAfter: notAfter
        ).build(isAuthority: true, issuer: nil, signingKey: key)
    }

    /// A certificate for `publicKey` signed by `issuer` (v3, SHA-256, random serial, subject and
    /// authority key identifiers, and subjectAltName when `subjectAlternativeDNSNames` is not
    /// empty). By default an end entity (critical basicConstraints CA:FALSE, keyUsage
    /// digitalSignature); with `isCertificateAuthority` an intermediate CA (CA:TRUE, keyCertSign
    /// and cRLSign), so sandbox chains can look like PayPal's leaf → intermediate → root.
    /// Throws `key_mismatch` if `issuerKey` is not the key of `issuer`, `invalid_validity` unless
    /// `notBefore < notAfter`, and `invalid_name` for an empty or over-long common name or a DNS
    /// name with characters outside `[A-Za-z0-9.*_-]`.
    public static func issue(
        commonName: String, subjectAlternativeDNSNames: [String] = [], publicKey: RSAPublicKey,
        issuer: X509Certificate, issuerKey: RSAPrivateKey, notBefore: Date, notAfter: Date,
        isCertificateAuthority: Bool = false
    ) throws -> X509Certificate {
        guard X509_check_private_key(issuer.handle, issuerKey.pkey) == 1 else {
            OpenSSLErrorQueue.clear()
            throw CryptoError(
                code: CryptoError.Code.keyMismatch, reason: "issuer key does not match the issuer certificate")
        }
        return try withExtendedLifetime(issuer) {
            try CertificateBuilder(
                commonName: commonName, dnsNames: subjectAlternativeDNSNames, publicKey: publicKey,
                notBefore: notBefore, notAfter: notAfter
            ).build(isAuthority: isCertificateAuthority, issuer: issuer.handle, signingKey: issuerKey)
        }
    }
}

/// Assembles and signs one certificate.
private struct CertificateBuilder {
    let commonName: String
    let dnsNames: [String]
    let publicKey: RSAPublicKey
    let notBefore: Date
    let notAfter: Date

    init(commonName: String, dnsNames: [String], publicKey: RSAPublicKey, notBefore: Date, notAfter: Date) throws {
        // 64 is the X.520 upper bound for a common name.
        guard !commonName.isEmpty, commonName.utf8.count <= 64, !commonName.utf8.contains(0) else {
            throw CryptoError(code: CryptoError.Code.invalidName, reason: "common name must be 1–64 bytes without NUL")
        }
        // The names go into an OpenSSL config string ("DNS:a,DNS:b"), so a ',' or ':' inside one
        // could smuggle in another entry; only hostname characters are accepted.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_".utf8)
        for name in dnsNames where name.isEmpty || name.utf8.count > 253 || !name.utf8.allSatisfy(allowed.contains) {
            throw CryptoError(code: CryptoError.Code.invalidName, reason: "invalid DNS name for subjectAltName")
        }
        guard notBefore < notAfter else {
            throw CryptoError(code: CryptoError.Code.invalidValidity, reason: "notBefore must be earlier than notAfter")
        }
        self.commonName = commonName
        self.dnsNames = dnsNames
        self.publicKey = publicKey
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// `issuer` nil means self-signed.
    func build(isAuthority: Bool, issuer: OpaquePointer?, signingKey: RSAPrivateKey) throws -> X509Certificate {
        guard let x509 = X509_new() else { throw failure("X509_new failed") }
        var owned: OpaquePointer? = x509
        defer { if let owned { X509_free(owned) } }

        guard X509_set_version(x509, 2) == 1 else { throw failure("X509_set_version failed") }  // 2 = v3
        try setSerial(x509)
        guard let subject = X509_get_subject_name(x509),
            X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, commonName, -1, -1, 0) == 1
        else { throw failure("setting the subject failed") }
        let issuerName = issuer.flatMap { X509_get_subject_name($0) } ?? subject
        guard X509_set_issuer_name(x509, issuerName) == 1 else { throw failure("setting the issuer failed") }
        guard ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970.rounded(.down))) != nil,
            ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970.rounded(.down))) != nil
        else { throw failure("setting the validity failed") }
        guard X509_set_pubkey(x509, publicKey.pkey) == 1 else { throw failure("X509_set_pubkey failed") }

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer ?? x509, x509, nil, nil, 0)
        var extensions: [(Int32, String)] = []
        if isAuthority {
            extensions += [
                (NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
            ]
        } else {
            extensions += [
                (NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
            ]
        }
        extensions.append((NID_subject_key_identifier, "hash"))
        // A self-signed certificate is its own authority; the key identifier would only repeat.
        if issuer != nil { extensions.append((NID_authority_key_identifier, "keyid")) }
        if !dnsNames.isEmpty {
            extensions.append((NID_subject_alt_name, dnsNames.map { "DNS:" + $0 }.joined(separator: ",")))
        }
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw failure("building an extension failed")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw failure("X509_add_ext failed") }
        }

        guard X509_sign(x509, signingKey.pkey, EVP_sha256()) > 0 else { throw failure("X509_sign failed") }
        owned = nil
        return try X509Certificate(owning: x509)
    }

    /// A random positive 128-bit serial, as RFC 5280 and the CA/B Forum expect of new certificates.
    private func setSerial(_ x509: OpaquePointer) throws {
        var bytes = SecureRandom.bytes(16)
        bytes[0] = bytes[0] & 0x7F | 0x40  // positive, and exactly 16 bytes long
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw failure("BN_bin2bn failed") }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x509)) != nil else {
            throw failure("setting the serial failed")
        }
    }

    private func failure(_ reason: String) -> CryptoError {
        CryptoError.openSSL(CryptoError.Code.certificateCreationFailed, reason)
    }
}
