import COpenSSL
import Foundation

/// The values of an `X509Certificate`, read from libcrypto once.
struct X509Fields: Sendable {
    let subject: String
    let issuer: String
    let subjectCommonName: String?
    let subjectAlternativeDNSNames: [String]
    let notBefore: Date
    let notAfter: Date
    let serialNumberHex: String
    let der: [UInt8]

    init(reading x509: OpaquePointer) throws {
        // Fills the extension cache now (see X509Certificate) and rejects certificates whose
        // extensions libcrypto itself finds invalid, e.g. duplicated ones.
        _ = X509_check_purpose(x509, -1, 0)
        guard X509_get_extension_flags(x509) & UInt32(EXFLAG_INVALID) == 0 else {
            throw CryptoError.openSSL(CryptoError.Code.invalidCertificate, "certificate has invalid extensions")
        }
        guard let subjectName = X509_get_subject_name(x509), let issuerName = X509_get_issuer_name(x509),
            let subject = Self.print(subjectName), let issuer = Self.print(issuerName)
        else { throw CryptoError.openSSL(CryptoError.Code.invalidCertificate, "certificate names unreadable") }
        guard let notBefore = Self.date(X509_get0_notBefore(x509)), let notAfter = Self.date(X509_get0_notAfter(x509))
        else { throw CryptoError.openSSL(CryptoError.Code.invalidCertificate, "certificate validity unreadable") }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509(x509, &buffer)
        guard length > 0, let buffer else {
            throw CryptoError.openSSL(CryptoError.Code.invalidCertificate, "certificate cannot be re-encoded")
        }
        self.der = Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
        CRYPTO_free(buffer, #fileID, #line)
        self.subject = subject
        self.issuer = issuer
        self.subjectCommonName = Self.commonName(subjectName)
        self.subjectAlternativeDNSNames = try Self.dnsNames(x509)
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.serialNumberHex = Self.serialHex(X509_get0_serialNumber(x509))
    }

    private static func print(_ name: OpaquePointer) -> String? {
        let bytes = MemoryBIO.writing { bio in X509_NAME_print_ex(bio, name, 0, coffer_name_print_flags()) >= 0 }
        return bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    private static func commonName(_ name: OpaquePointer) -> String? {
        let first = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard first >= 0, X509_NAME_get_index_by_NID(name, NID_commonName, first) < 0,
            let entry = X509_NAME_get_entry(name, first), let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        return utf8(data)
    }

    /// A string value as UTF-8 (converting BMP/Universal strings), nil if it holds a NUL.
    private static func utf8(_ string: UnsafePointer<ASN1_STRING>) -> String? {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = ASN1_STRING_to_UTF8(&output, string)
        guard length >= 0, let output else { return nil }
        defer { CRYPTO_free(output, #fileID, #line) }
        let bytes = UnsafeBufferPointer(start: output, count: Int(length))
        guard !bytes.contains(0) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func dnsNames(_ x509: OpaquePointer) throws -> [String] {
        var critical: Int32 = 0
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, &critical, nil) else {
            // -1: no such extension; anything else: present but undecodable or duplicated.
            guard critical == -1 else {
                throw CryptoError.openSSL(CryptoError.Code.invalidCertificate, "subjectAltName unreadable")
            }
            OpenSSLErrorQueue.clear()
            return []
        }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<coffer_general_names_count(names) {
            guard let name = coffer_general_names_get(names, index), name.pointee.type == GEN_DNS,
                let value = name.pointee.d.dNSName, let data = ASN1_STRING_get0_data(value)
            else { continue }
            let bytes = UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(value)))
            guard !bytes.contains(0) else { continue }
            result.append(String(decoding: bytes, as: UTF8.self))
        }
        return result
    }

    private static func serialHex(_ serial: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let serial, let data = ASN1_STRING_get0_data(serial) else { return "00" }
        let bytes = Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(serial))))
        var hex = Hex.encode(bytes.drop { $0 == 0 })
        if hex.hasPrefix("0") { hex.removeFirst() }
        if hex.isEmpty { return "0" }
        return ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" + hex : hex
    }
}
