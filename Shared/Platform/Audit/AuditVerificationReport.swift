import Shared

/// One thing wrong with an audit chain, and where.
public struct AuditProblem: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The row's recomputed hash differs from its stored one: its content (or its hash) was edited.
        case hashMismatch = "hash_mismatch"
        /// The row's `prev_hash` is not the previous row's `hash`: a row was changed or replaced.
        case prevHashMismatch = "prev_hash_mismatch"
        /// Positions are missing before this row: rows were deleted.
        case sequenceGap = "sequence_gap"
        /// Two rows claim one position.
        case duplicateSequence = "duplicate_sequence"
        /// The chain's head does not name its last row (rows deleted at the end, or the head edited).
        case headMismatch = "head_mismatch"
        /// A row has waited longer than the threshold to be sealed (no sealer running, or it is stuck).
        case unsealed = "unsealed"
        /// A row's stored JSON cannot be read back, so its hash cannot be checked.
        case unreadable = "unreadable"
    }

    public let kind: Kind
    /// The chain's tenant; nil for the platform chain.
    public let tenantID: String?
    public let chainSeq: Int64?
    public let rowID: Int64?
    public let detail: String

    public init(kind: Kind, tenantID: String?, chainSeq: Int64?, rowID: Int64?, detail: String) {
        self.kind = kind
        self.tenantID = tenantID
        self.chainSeq = chainSeq
        self.rowID = rowID
        self.detail = detail
    }

    public var json: JSONValue {
        [
            "kind": .string(kind.rawValue), "tenant_id": tenantID.map(JSONValue.string) ?? .null,
            "chain_seq": chainSeq.map(JSONValue.int) ?? .null, "row_id": rowID.map(JSONValue.int) ?? .null,
            "detail": .string(detail),
        ]
    }

    public init?(json: JSONValue) {
        guard let kindText = json["kind"]?.stringValue, let kind = Kind(rawValue: kindText) else { return nil }
        self.init(
            kind: kind, tenantID: json["tenant_id"]?.stringValue, chainSeq: json["chain_seq"]?.int64Value,
            rowID: json["row_id"]?.int64Value, detail: json["detail"]?.stringValue ?? "")
    }
}

/// What `AuditVerifier` found: `{"ok":…,"tenants":n,"rows":n,"problems":[…]}` over HTTP.
public struct AuditVerificationReport: Sendable, Hashable {
    /// Chains walked (one per tenant, plus the platform chain when it exists).
    public var tenantsChecked: Int
    /// Sealed rows whose hash was recomputed.
    public var rowsChecked: Int
    /// Rows not sealed yet (overdue ones are also problems).
    public var unsealedRows: Int
    public var problems: [AuditProblem]
    /// More problems were found than the report lists.
    public var problemsTruncated: Bool

    public init(
        tenantsChecked: Int = 0, rowsChecked: Int = 0, unsealedRows: Int = 0, problems: [AuditProblem] = [],
        problemsTruncated: Bool = false
    ) {
        self.tenantsChecked = tenantsChecked
        self.rowsChecked = rowsChecked
        self.unsealedRows = unsealedRows
        self.problems = problems
        self.problemsTruncated = problemsTruncated
    }

    public var ok: Bool { problems.isEmpty && !problemsTruncated }

    public var json: JSONValue {
        [
            "ok": .bool(ok), "tenants": .int(Int64(tenantsChecked)), "rows": .int(Int64(rowsChecked)),
            "unsealed": .int(Int64(unsealedRows)), "problems": .array(problems.map(\.json)),
            "problems_truncated": .bool(problemsTruncated),
        ]
    }

    /// Reads a report back (cofferctl); nil unless the required fields are there.
    public init?(json: JSONValue) {
        guard let tenants = json["tenants"]?.int64Value, let rows = json["rows"]?.int64Value,
            let problems = json["problems"]?.arrayValue
        else { return nil }
        let parsed = problems.compactMap(AuditProblem.init(json:))
        self.init(
            tenantsChecked: Int(tenants), rowsChecked: Int(rows), unsealedRows: Int(json["unsealed"]?.int64Value ?? 0),
            problems: parsed, problemsTruncated: json["problems_truncated"]?.boolValue ?? false)
        // Problems of a kind this build does not know, or a report that says it failed without listing
        // why, still fail: never read "ok" into what the service did not say.
        if parsed.count != problems.count || (json["ok"]?.boolValue != true && self.ok) { problemsTruncated = true }
    }
}
