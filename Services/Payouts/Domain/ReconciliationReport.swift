import Foundation
import Shared

/// One reconciliation run: what was compared with the providers, what was fixed and what needs a person.
struct ReconciliationReport: Sendable {
    let id: String
    let startedAt: Date
    let finishedAt: Date
    let examined: Int
    let matched: Int
    let fixes: [JSONValue]
    let amountMismatches: [JSONValue]
    let unknownAtProvider: [JSONValue]
    let errors: [JSONValue]

    var json: JSONValue {
        [
            "id": .string(id), "object": "reconciliation_report", "started_at": .string(Timestamp.rfc3339(startedAt)),
            "finished_at": .string(Timestamp.rfc3339(finishedAt)), "examined": .int(Int64(examined)),
            "matched": .int(Int64(matched)),
            "fixed": .int(Int64(fixes.count)), "fixes": .array(fixes), "amount_mismatches": .array(amountMismatches),
            "unknown_at_provider": .array(unknownAtProvider), "errors": .array(errors),
        ]
    }
}
