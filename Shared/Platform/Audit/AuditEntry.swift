import Shared

/// One audited action, as a service describes it: who did what to which object, what it looked like
/// before and after (secrets already masked by the caller), and the operation's correlation id.
public struct AuditEntry: Sendable, Hashable {
    /// Nil for platform-level actions (no tenant); they form the `platform` chain.
    public var tenantID: String?
    /// An API key id, `operator:<name>` or `system` (see `AuditActor`).
    public var actor: String
    /// `<object>.<verb>`, e.g. `payment.created`, `settings.updated`.
    public var action: String
    public var objectType: String
    public var objectID: String
    public var before: JSONValue?
    public var after: JSONValue?
    public var correlationID: String?

    public init(
        tenantID: String?, actor: String, action: String, objectType: String, objectID: String,
        before: JSONValue? = nil, after: JSONValue? = nil, correlationID: String? = nil
    ) {
        self.tenantID = tenantID
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.before = before
        self.after = after
        self.correlationID = correlationID
    }
}

/// The spellings of `AuditEntry.actor`, so every service writes them alike.
public enum AuditActor {
    /// A tenant's API key, by its id (never the key itself).
    public static func apiKey(_ keyID: String) -> String { keyID }
    /// A platform operator, by the name of their admin token.
    public static func `operator`(_ name: String) -> String { "operator:" + name }
    /// Coffer itself (workers, reconciliation, provider events).
    public static let system = "system"
}

/// An entry `AuditLog.record` refuses: a programming error in the caller, so it fails loudly.
public struct AuditEntryError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
