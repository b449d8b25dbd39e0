import Shared

/// What an id names: its prefix (`pe` for payees).
public protocol IDKind: Sendable {
    static var prefix: IDPrefix { get }
}

/// An id that says what it names: a payee id cannot be passed where a payout id belongs, and one that
/// does not have its kind's shape (`pe_` + a ULID) is refused when it is decoded from another service's
/// event. On the wire it is the plain string.
public struct TypedID<Kind: IDKind>: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: String

    /// Nil unless `rawValue` is a well-formed id of this kind.
    public init?(_ rawValue: String) {
        guard CofferID.isValid(rawValue, prefix: Kind.prefix) else { return nil }
        self.rawValue = rawValue
    }

    /// For ids read back from our own rows (already checked when they were written).
    public init(trusted rawValue: String) { self.rawValue = rawValue }

    public static func generate() -> TypedID<Kind> { TypedID(trusted: CofferID.generate(Kind.prefix)) }

    public var description: String { rawValue }

    public static func < (lhs: TypedID<Kind>, rhs: TypedID<Kind>) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = TypedID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Kind.prefix.rawValue)_ id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public enum TenantKind: IDKind { public static let prefix = IDPrefix.tenant }
public enum PayeeKind: IDKind { public static let prefix = IDPrefix.payee }
public enum PayoutKind: IDKind { public static let prefix = IDPrefix.payout }
public enum PaymentKind: IDKind { public static let prefix = IDPrefix.payment }

public typealias TenantID = TypedID<TenantKind>
public typealias PayeeID = TypedID<PayeeKind>
public typealias PayoutID = TypedID<PayoutKind>
public typealias PaymentID = TypedID<PaymentKind>
