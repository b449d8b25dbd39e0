import Shared

/// How an audit row is hashed into its chain. Verification, and any external auditor with read access
/// to the table, must recompute exactly this, so it is specified here in full.
///
/// **Canonical text** of a sealed row: the JSON array
///
///     ["coffer.audit.v1", id, tenant_id, chain_seq, actor, action, object_type, object_id,
///      before, after, correlation_id, occurred_at, prev_hash]
///
/// serialized canonically (`JSONValue.serialized(canonical: true)`): no whitespace; object keys sorted
/// by their UTF-8 bytes; strings escaped minimally (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other
/// bytes below 0x20 as lowercase `\u00xx`, everything else as raw UTF-8); numbers as their literal.
///
/// - `id`, `chain_seq`: JSON integers.
/// - `tenant_id`, `correlation_id`: strings, or `null` (explicitly, never omitted).
/// - `actor`, `action`, `object_type`, `object_id`: strings.
/// - `before`, `after`: the JSON values as PostgreSQL's `jsonb` prints them (`column::text`), parsed
///   and re-serialized canonically (so number literals are jsonb's, e.g. `1e3` is stored as `1000`);
///   SQL NULL and JSON `null` are both `null`.
/// - `occurred_at`: UTC, RFC 3339 with exactly six fraction digits, e.g. `"2026-11-21T16:48:00.123456Z"`
///   (`to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`).
/// - `prev_hash`: the previous row's `hash` in the same chain; for `chain_seq` 1, 64 zeros.
///
/// **hash** = lowercase hex of SHA-256 over the canonical text's UTF-8 bytes. `sealed_at` is not hashed
/// (it says when, not what). Chains are per `tenant_key`: the tenant id, or `platform` when it is NULL.
public enum AuditChain {
    /// Names the canonical form, so a future format can be told apart.
    public static let formatTag = "coffer.audit.v1"
    /// `prev_hash` of the first row of every chain.
    public static let genesisHash = String(repeating: "0", count: 64)
    /// The chain (and `audit_chain_heads.tenant_key`) of rows without a tenant.
    public static let platformKey = "platform"

    /// The canonical text of `content` at position `chainSeq` after `prevHash`.
    public static func canonicalText(_ content: AuditRowContent, chainSeq: Int64, prevHash: String) -> [UInt8] {
        let fields: [JSONValue] = [
            .string(formatTag), .int(content.id), content.tenantID.map(JSONValue.string) ?? .null, .int(chainSeq),
            .string(content.actor), .string(content.action), .string(content.objectType), .string(content.objectID),
            content.before ?? .null, content.after ?? .null, content.correlationID.map(JSONValue.string) ?? .null,
            .string(content.occurredAt), .string(prevHash),
        ]
        return JSONValue.array(fields).serialized(canonical: true)
    }

    /// The row's `hash` at position `chainSeq` after `prevHash`.
    public static func hash(_ content: AuditRowContent, chainSeq: Int64, prevHash: String) -> String {
        Hex.encode(SHA256.hash(canonicalText(content, chainSeq: chainSeq, prevHash: prevHash)))
    }
}
