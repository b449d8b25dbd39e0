import Shared

/// `GET /_sandbox/operations/summary`: counts per kind and per idempotency key, and every idempotency
/// key or Coffer id that executed more than once — the proof (or disproof) that nothing was done twice.
/// A payout the payee's bank failed (`payout_failed`) moved no money: paying its Coffer id again is
/// not a duplicate.
enum OperationSummary {
    /// `keyLimit` caps the per-key counts listed (a benchmark leaves hundreds of thousands); the
    /// duplicate lists are never capped.
    static func make(_ operations: [SandboxOperation], keyLimit: Int?) -> JSONValue {
        var byKind: [String: Int64] = [:]
        var byProvider: [SandboxProvider: [String: Int64]] = [:]
        var byKey: [String: Int64] = [:]
        var keyGroups: [String: [SandboxOperation]] = [:]
        var cofferGroups: [String: [SandboxOperation]] = [:]
        let failedPayouts = Set(
            operations.lazy.filter { $0.kind == OperationKind.payoutFailed.rawValue }.map(Self.objectKey))
        for operation in operations {
            byKind[operation.kind, default: 0] += 1
            byProvider[operation.provider, default: [:]][operation.kind, default: 0] += 1
            if let key = operation.idempotencyKey {
                byKey[key, default: 0] += 1
                keyGroups[operation.provider.rawValue + "\u{0}" + operation.accountID + "\u{0}" + key, default: []]
                    .append(operation)
            }
            if let cofferID = operation.cofferID, OperationKind(rawValue: operation.kind)?.mustNotRepeat ?? false,
                !(operation.kind == OperationKind.payout.rawValue && failedPayouts.contains(objectKey(operation)))
            {
                cofferGroups[operation.provider.rawValue + "\u{0}" + operation.kind + "\u{0}" + cofferID, default: []]
                    .append(operation)
            }
        }
        let repeatedKeys = keyGroups.values.filter { $0.count > 1 }.map { group -> JSONValue in
            let first = group[0]
            return .object([
                "provider": .string(first.provider.rawValue), "account_id": .string(first.accountID),
                "idempotency_key": .string(first.idempotencyKey ?? ""), "count": .int(Int64(group.count)),
                "kinds": .array(group.map { .string($0.kind) }),
                "object_ids": .array(group.map { .string($0.objectID) }),
                "sequences": .array(group.map { .int($0.sequence) }),
            ])
        }.sorted { ($0["sequences"]?[0]?.int64Value ?? 0) < ($1["sequences"]?[0]?.int64Value ?? 0) }
        let repeatedCofferIDs = cofferGroups.values.filter { $0.count > 1 }.map { group -> JSONValue in
            let first = group[0]
            return .object([
                "provider": .string(first.provider.rawValue), "kind": .string(first.kind),
                "coffer_id": .string(first.cofferID ?? ""), "count": .int(Int64(group.count)),
                "object_ids": .array(group.map { .string($0.objectID) }),
                "idempotency_keys": .array(group.map { $0.idempotencyKey.map(JSONValue.string) ?? .null }),
                "sequences": .array(group.map { .int($0.sequence) }),
            ])
        }.sorted { ($0["sequences"]?[0]?.int64Value ?? 0) < ($1["sequences"]?[0]?.int64Value ?? 0) }

        var keyCounts: [String: JSONValue] = [:]
        var truncated = false
        if let keyLimit, byKey.count > keyLimit {
            truncated = true
            // Keep the repeated keys first: they are the interesting ones.
            for (key, count) in byKey.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(keyLimit) {
                keyCounts[key] = .int(count)
            }
        } else {
            for (key, count) in byKey { keyCounts[key] = .int(count) }
        }
        var providers: [String: JSONValue] = [:]
        for (provider, counts) in byProvider { providers[provider.rawValue] = .object(counts.mapValues(JSONValue.int)) }
        return .object([
            "total": .int(Int64(operations.count)),
            "by_kind": .object(byKind.mapValues(JSONValue.int)),
            "by_provider": .object(providers),
            "by_idempotency_key": .object(keyCounts),
            "by_idempotency_key_truncated": .bool(truncated),
            "duplicates": .object([
                "idempotency_keys": .array(repeatedKeys),
                "coffer_ids": .array(repeatedCofferIDs),
            ]),
            "duplicate_count": .int(Int64(repeatedKeys.count + repeatedCofferIDs.count)),
            "clean": .bool(repeatedKeys.isEmpty && repeatedCofferIDs.isEmpty),
        ])
    }

    /// One provider object of one account.
    private static func objectKey(_ operation: SandboxOperation) -> String {
        operation.provider.rawValue + "\u{0}" + operation.accountID + "\u{0}" + operation.objectID
    }
}
