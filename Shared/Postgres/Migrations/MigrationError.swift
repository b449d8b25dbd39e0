/// Why migrations did not run. Every message names the migration concerned.
public struct MigrationError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An applied migration's SQL was changed afterwards. Nothing was applied.
        case checksumMismatch(version: Int, name: String)
        /// Two migrations in the code share a version.
        case duplicateVersion(Int)
        /// The code lists migrations out of ascending version order.
        case outOfOrder(version: Int, after: Int)
        /// Versions start at 1.
        case invalidVersion(Int)
        /// The migration's SQL failed; it was rolled back and the ones after it were not tried.
        case failed(version: Int, name: String)
    }

    public var kind: Kind
    /// For `.failed`: what PostgreSQL said.
    public var underlying: PostgresError?
    /// For `.checksumMismatch`: the recorded and the current checksum.
    public var recordedChecksum: String?
    public var currentChecksum: String?

    public init(
        kind: Kind, underlying: PostgresError? = nil, recordedChecksum: String? = nil, currentChecksum: String? = nil
    ) {
        self.kind = kind
        self.underlying = underlying
        self.recordedChecksum = recordedChecksum
        self.currentChecksum = currentChecksum
    }

    public var description: String {
        switch kind {
        case .checksumMismatch(let version, let name):
            return "migration \(version) (\(name)) was changed after it was applied: its SQL no longer matches "
                + "the recorded checksum. Restore the applied SQL and put the change in a new migration. "
                + "No migrations were applied."
        case .duplicateVersion(let version):
            return "two migrations have version \(version)"
        case .outOfOrder(let version, let after):
            return "migration \(version) is listed after migration \(after): list migrations in ascending order"
        case .invalidVersion(let version):
            return "migration version \(version) is invalid: versions start at 1"
        case .failed(let version, let name):
            let state = underlying?.sqlState.map { " (SQLSTATE \($0))" } ?? ""
            return "migration \(version) (\(name)) failed\(state) and was rolled back"
        }
    }

    public var debugDescription: String {
        var text = "MigrationError(\(description)"
        if let recordedChecksum, let currentChecksum {
            text += "; recorded \(recordedChecksum), current \(currentChecksum)"
        }
        if let underlying { text += "; \(underlying.debugDescription)" }
        return text + ")"
    }
}
