import HTTP
import Shared

/// How a simulated provider (mis)behaves: injected failures, timeouts, latency and declines for API
/// calls; delays, duplicates, reordering, drops and bad signatures for webhooks; whether customers
/// complete payments by themselves; when payouts settle. Counters (`failNext`, `timeoutNext`,
/// `declineNext`) are used up one call at a time.
struct Behaviour: Sendable, Equatable {
    var failNext = 0
    var failStatus = 500
    var timeoutNext = 0
    /// How long a "timed out" call is held before it is answered: longer than any client's timeout.
    var timeoutMilliseconds = 30_000
    var latencyMilliseconds = 0
    var declineNext = 0
    var webhookDelayMilliseconds = 0
    var webhookDuplicates = 0
    var webhookReorder = false
    var webhookDrop = false
    var webhookBadSignature = false
    var autoComplete = true
    var autoCompleteDelayMilliseconds = 500
    /// Whether pending payouts settle by themselves (processed, or failed for a bad destination), and when.
    var payoutAutoSettle = true
    var payoutDelayMilliseconds = 300

    mutating func apply(_ patch: BehaviourPatch) {
        if let value = patch.failNext { failNext = value }
        if let value = patch.failStatus { failStatus = value }
        if let value = patch.timeoutNext { timeoutNext = value }
        if let value = patch.timeoutMilliseconds { timeoutMilliseconds = value }
        if let value = patch.latencyMilliseconds { latencyMilliseconds = value }
        if let value = patch.declineNext { declineNext = value }
        if let value = patch.webhookDelayMilliseconds { webhookDelayMilliseconds = value }
        if let value = patch.webhookDuplicates { webhookDuplicates = value }
        if let value = patch.webhookReorder { webhookReorder = value }
        if let value = patch.webhookDrop { webhookDrop = value }
        if let value = patch.webhookBadSignature { webhookBadSignature = value }
        if let value = patch.autoComplete { autoComplete = value }
        if let value = patch.autoCompleteDelayMilliseconds { autoCompleteDelayMilliseconds = value }
        if let value = patch.payoutAutoSettle { payoutAutoSettle = value }
        if let value = patch.payoutDelayMilliseconds { payoutDelayMilliseconds = value }
    }

    var json: JSONValue {
        .object([
            "fail_next": .int(Int64(failNext)), "fail_status": .int(Int64(failStatus)),
            "timeout_next": .int(Int64(timeoutNext)), "timeout_ms": .int(Int64(timeoutMilliseconds)),
            "latency_ms": .int(Int64(latencyMilliseconds)), "decline_next": .int(Int64(declineNext)),
            "webhook_delay_ms": .int(Int64(webhookDelayMilliseconds)),
            "webhook_duplicates": .int(Int64(webhookDuplicates)), "webhook_reorder": .bool(webhookReorder),
            "webhook_drop": .bool(webhookDrop), "webhook_bad_signature": .bool(webhookBadSignature),
            "auto_complete": .bool(autoComplete), "auto_complete_delay_ms": .int(Int64(autoCompleteDelayMilliseconds)),
            "payout_auto_settle": .bool(payoutAutoSettle), "payout_delay_ms": .int(Int64(payoutDelayMilliseconds)),
        ])
    }
}

/// Fields of a `POST /_sandbox/behaviour` body: only those present change anything.
struct BehaviourPatch: Sendable, Equatable {
    var failNext: Int?
    var failStatus: Int?
    var timeoutNext: Int?
    var timeoutMilliseconds: Int?
    var latencyMilliseconds: Int?
    var declineNext: Int?
    var webhookDelayMilliseconds: Int?
    var webhookDuplicates: Int?
    var webhookReorder: Bool?
    var webhookDrop: Bool?
    var webhookBadSignature: Bool?
    var autoComplete: Bool?
    var autoCompleteDelayMilliseconds: Int?
    var payoutAutoSettle: Bool?
    var payoutDelayMilliseconds: Int?

    init() {}

    /// Reads and bounds-checks a control body; unknown fields are refused so a typo is not silently ignored.
    init(json body: JSONValue) throws(DomainError) {
        guard case .object(let members) = body else { throw .invalid("The body must be a JSON object.") }
        let known: Set<String> = [
            "provider", "account", "fail_next", "fail_status", "timeout_next", "timeout_ms", "latency_ms",
            "decline_next",
            "webhook_delay_ms", "webhook_duplicates", "webhook_reorder", "webhook_drop", "webhook_bad_signature",
            "auto_complete", "auto_complete_delay_ms", "payout_auto_settle", "payout_delay_ms",
        ]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalid("Unknown behaviour field `\(unknown)`.", param: unknown)
        }
        func int(_ name: String, _ range: ClosedRange<Int>) throws(DomainError) -> Int? {
            guard let value = members[name], !value.isNull else { return nil }
            guard let number = value.int64Value, let small = Int(exactly: number), range.contains(small) else {
                throw .invalid(
                    "`\(name)` must be an integer from \(range.lowerBound) to \(range.upperBound).", param: name)
            }
            return small
        }
        func bool(_ name: String) throws(DomainError) -> Bool? {
            guard let value = members[name], !value.isNull else { return nil }
            guard let flag = value.boolValue else { throw .invalid("`\(name)` must be true or false.", param: name) }
            return flag
        }
        failNext = try int("fail_next", 0...1_000_000)
        failStatus = try int("fail_status", 400...599)
        timeoutNext = try int("timeout_next", 0...1_000_000)
        timeoutMilliseconds = try int("timeout_ms", 0...300_000)
        latencyMilliseconds = try int("latency_ms", 0...60_000)
        declineNext = try int("decline_next", 0...1_000_000)
        webhookDelayMilliseconds = try int("webhook_delay_ms", 0...600_000)
        webhookDuplicates = try int("webhook_duplicates", 0...20)
        webhookReorder = try bool("webhook_reorder")
        webhookDrop = try bool("webhook_drop")
        webhookBadSignature = try bool("webhook_bad_signature")
        autoComplete = try bool("auto_complete")
        autoCompleteDelayMilliseconds = try int("auto_complete_delay_ms", 0...600_000)
        payoutAutoSettle = try bool("payout_auto_settle")
        payoutDelayMilliseconds = try int("payout_delay_ms", 0...600_000)
    }

    /// Only the fields set, for showing per-account overrides.
    var json: JSONValue {
        var members: [String: JSONValue] = [:]
        func put(_ name: String, _ value: Int?) { if let value { members[name] = .int(Int64(value)) } }
        func put(_ name: String, _ value: Bool?) { if let value { members[name] = .bool(value) } }
        put("fail_next", failNext)
        put("fail_status", failStatus)
        put("timeout_next", timeoutNext)
        put("timeout_ms", timeoutMilliseconds)
        put("latency_ms", latencyMilliseconds)
        put("decline_next", declineNext)
        put("webhook_delay_ms", webhookDelayMilliseconds)
        put("webhook_duplicates", webhookDuplicates)
        put("webhook_reorder", webhookReorder)
        put("webhook_drop", webhookDrop)
        put("webhook_bad_signature", webhookBadSignature)
        put("auto_complete", autoComplete)
        put("auto_complete_delay_ms", autoCompleteDelayMilliseconds)
        put("payout_auto_settle", payoutAutoSettle)
        put("payout_delay_ms", payoutDelayMilliseconds)
        return .object(members)
    }

    /// Merges `newer` over this patch.
    mutating func merge(_ newer: BehaviourPatch) {
        failNext = newer.failNext ?? failNext
        failStatus = newer.failStatus ?? failStatus
        timeoutNext = newer.timeoutNext ?? timeoutNext
        timeoutMilliseconds = newer.timeoutMilliseconds ?? timeoutMilliseconds
        latencyMilliseconds = newer.latencyMilliseconds ?? latencyMilliseconds
        declineNext = newer.declineNext ?? declineNext
        webhookDelayMilliseconds = newer.webhookDelayMilliseconds ?? webhookDelayMilliseconds
        webhookDuplicates = newer.webhookDuplicates ?? webhookDuplicates
        webhookReorder = newer.webhookReorder ?? webhookReorder
        webhookDrop = newer.webhookDrop ?? webhookDrop
        webhookBadSignature = newer.webhookBadSignature ?? webhookBadSignature
        autoComplete = newer.autoComplete ?? autoComplete
        autoCompleteDelayMilliseconds = newer.autoCompleteDelayMilliseconds ?? autoCompleteDelayMilliseconds
        payoutAutoSettle = newer.payoutAutoSettle ?? payoutAutoSettle
        payoutDelayMilliseconds = newer.payoutDelayMilliseconds ?? payoutDelayMilliseconds
    }
}
