/// URL-safe base64 (RFC 4648 §5, `-` and `_`): tokens, sealed secrets, anything that travels in a
/// URL or header. Constant time over the data; strict when decoding.
public enum Base64URL: Sendable {
    /// Unpadded base64url.
    public static func encode<B: Collection<UInt8>>(_ bytes: B) -> String {
        bytes.withContiguousBytes { Base64Codec.url.encode($0, pad: false) }
    }

    /// Padding is optional but must be exact when present; nil on any character outside the URL
    /// alphabet (including `+`, `/` and whitespace) or non-zero unused bits.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.url.decode(text, padding: .optional)
    }
}
