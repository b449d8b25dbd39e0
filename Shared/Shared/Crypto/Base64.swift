/// Standard base64 (RFC 4648 §4, `+` and `/`), as used by PayPal's signature header, Standard
/// Webhooks signatures and `whsec_` secrets. Constant time over the data; strict when decoding.
public enum Base64: Sendable {
    /// Padded standard base64.
    public static func encode<B: Collection<UInt8>>(_ bytes: B) -> String {
        bytes.withContiguousBytes { Base64Codec.standard.encode($0, pad: true) }
    }

    /// Nil on any character outside the standard alphabet (including whitespace and `-`/`_`),
    /// on misplaced or wrong padding, or when the unused bits of the last character are not zero.
    /// Padding may be omitted unless `requirePadding` is true; when present it must be exact.
    public static func decode(_ text: String, requirePadding: Bool = false) -> [UInt8]? {
        Base64Codec.standard.decode(text, padding: requirePadding ? .required : .optional)
    }
}
