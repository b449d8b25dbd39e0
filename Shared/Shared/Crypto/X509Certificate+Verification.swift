import COpenSSL
import Foundation

extension X509Certificate {
    /// Verifies self (the leaf) up to one of `trustedRoots` through `intermediates` at `date`
    /// (X509_STORE / X509_STORE_CTX with X509_VERIFY_PARAM_set_time). Throws a CryptoError whose
    /// code says why (expired, not_yet_valid, untrusted_chain, signature_invalid, …).
    ///
    /// Only `trustedRoots` are trusted — never the system store — and the chain must end at a
    /// self-signed one of them (no partial chains). Every certificate's validity is checked at
    /// `date`. Codes: `expired`, `not_yet_valid` (any certificate in the chain),
    /// `untrusted_chain` (no path to a trusted root, e.g. a missing intermediate or an unknown CA),
    /// `signature_invalid` (a certificate not signed by the key of the issuer it names, including
    /// one that names a given root or intermediate that did not sign it),
    /// `invalid_ca` (an issuer that is not a CA or exceeds its path length), `invalid_certificate`,
    /// and `chain_invalid` for anything else; `debugDescription` carries OpenSSL's reason and depth.
    /// Names are not checked here: compare `subjectCommonName` / `subjectAlternativeDNSNames`.
    public func verifyChain(intermediates: [X509Certificate], trustedRoots: [X509Certificate], at date: Date) throws {
        guard let store = X509_STORE_new() else { throw setupFailure("X509_STORE_new failed") }
        defer { X509_STORE_free(store) }
        for root in trustedRoots {
            guard X509_STORE_add_cert(store, root.handle) == 1 else { throw setupFailure("X509_STORE_add_cert failed") }
        }
        guard let untrusted = coffer_x509_stack_new() else { throw setupFailure("stack allocation failed") }
        defer { coffer_x509_stack_free(untrusted) }
        for intermediate in intermediates {
            guard coffer_x509_stack_push(untrusted, intermediate.handle) > 0 else {
                throw setupFailure("stack push failed")
            }
        }
        guard let context = X509_STORE_CTX_new() else { throw setupFailure("X509_STORE_CTX_new failed") }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, handle, untrusted) == 1 else {
            throw setupFailure("X509_STORE_CTX_init failed")
        }
        X509_VERIFY_PARAM_set_time(
            X509_STORE_CTX_get0_param(context), time_t(date.timeIntervalSince1970.rounded(.down)))

        // The stack does not retain the intermediates; keep them alive until verification ends.
        let verified = withExtendedLifetime(intermediates) { X509_verify_cert(context) }
        guard verified != 1 else { return }
        let status = X509_STORE_CTX_get_error(context)
        let depth = X509_STORE_CTX_get_error_depth(context)
        let text = X509_verify_cert_error_string(Int(status)).map { String(cString: $0) } ?? "unknown"
        var code = Self.code(forVerifyError: status)
        if code == CryptoError.Code.untrustedChain, let failing = X509_STORE_CTX_get_current_cert(context),
            Self.isForgedIssuer(failing, candidates: intermediates + trustedRoots)
        {
            code = CryptoError.Code.signatureInvalid
        }
        throw CryptoError(
            code: code,
            reason: "chain verification failed at depth \(depth): \(text)",
            openSSLErrors: OpenSSLErrorQueue.drain())
    }

    /// True when `certificate` names an issuer we were given but none of the certificates with
    /// that name signed it. OpenSSL reports that as "unable to get issuer" (it matches issuers by
    /// name and key identifier before checking signatures); to the caller it is a forgery — a
    /// certificate claiming a trusted issuer it does not come from — not a missing certificate.
    private static func isForgedIssuer(_ certificate: OpaquePointer, candidates: [X509Certificate]) -> Bool {
        guard let issuerName = X509_get_issuer_name(certificate) else { return false }
        let named = candidates.filter { candidate in
            guard let subject = X509_get_subject_name(candidate.handle) else { return false }
            return X509_NAME_cmp(subject, issuerName) == 0 && candidate.handle != certificate
        }
        guard !named.isEmpty else { return false }
        let signedByOne = named.contains { candidate in
            guard let key = X509_get0_pubkey(candidate.handle) else { return false }
            return X509_verify(certificate, key) == 1
        }
        OpenSSLErrorQueue.clear()
        return !signedByOne
    }

    static func code(forVerifyError status: Int32) -> String {
        switch status {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            CryptoError.Code.expired
        case X509_V_ERR_CERT_NOT_YET_VALID:
            CryptoError.Code.notYetValid
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
            X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED, X509_V_ERR_CERT_REJECTED:
            CryptoError.Code.untrustedChain
        case X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
            X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
            CryptoError.Code.signatureInvalid
        case X509_V_ERR_INVALID_CA, X509_V_ERR_PATH_LENGTH_EXCEEDED, X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
            CryptoError.Code.invalidCA
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD,
            X509_V_ERR_INVALID_EXTENSION, X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
            CryptoError.Code.invalidCertificate
        default:
            CryptoError.Code.chainInvalid
        }
    }

    private func setupFailure(_ reason: String) -> CryptoError {
        CryptoError.openSSL(CryptoError.Code.internalFailure, reason)
    }
}
