/// Crockford's base32 alphabet as ULIDs use it: uppercase, without I, L, O and U, so ids survive
/// being read aloud or copied by hand, and sort as strings in numeric order.
enum CrockfordBase32 {
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Value of an uppercase alphabet byte; 0xFF for anything else (lowercase is not accepted: ids are
    /// compared as strings, so only one spelling may exist).
    static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()
}
