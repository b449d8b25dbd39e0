import Foundation
import HTTP
import Platform
import Shared

/// `/v1/payouts` and `/v1/payout-batches`: decode, call, encode. Routes that move money out require an
/// `Idempotency-Key` (a retry must find the first attempt's payout) and a recently confirmed tenancy
/// copy (a revoked key or a suspended tenant cannot move money on a stale copy).
enum PayoutRoutes {
    static let writers: Set<APIKeyRole> = [.full]
    static let approvers: Set<APIKeyRole> = [.full, .approver]
    static let readers: Set<APIKeyRole> = Set(APIKeyRole.allCases)

    static func register(
        on v1: RouterGroup, payouts: Payouts, batches: Batches, freshness: TenancyFreshness,
        dryRuns: TokenBucketLimiter,
        dryRunsPerMinute: Int, batchMaxItems: Int
    ) {
        v1.post("/payouts") { request, context in
            let key = try context.requireRole(writers)
            try freshness.requireConfirmed()
            _ = try context.requireIdempotencyKey("A payout moves money")
            let new = try Payouts.NewPayout(body: request.body)
            return try await payouts.create(new, RequestInfo(key: key, context: context)) { .json(.created, $0.json) }
                .response { .json(.created, bytes: $0.json.serialized()) }
        }
        v1.get("/payouts") { request, context in
            let key = try context.requireRole(readers)
            let page = try await payouts.list(
                RequestInfo(key: key, context: context), filter: try ListFilters.payouts(request.queryParameters))
            return .json(.ok, bytes: ListParameters.page(page.payouts.map(\.json), hasMore: page.hasMore))
        }
        v1.get("/payouts/first-run") { _, context in
            let key = try context.requireRole(readers)
            let run = try await payouts.firstRun(RequestInfo(key: key, context: context))
            return .json(
                .ok,
                bytes: JSONValue.object([
                    "object": "first_run", "confirmed": .bool(run.confirmed),
                    "waiting": .array(run.waiting.map(\.json)),
                ]).serialized())
        }
        v1.post("/payouts/confirm-first-run") { request, context in
            let key = try context.requireRole(approvers)
            try freshness.requireConfirmed()
            _ = try BodyReader(request.body, allowed: [])
            let confirmed = try await payouts.confirmFirstRun(RequestInfo(key: key, context: context))
            return .json(
                .ok,
                bytes: JSONValue.object([
                    "object": "first_run", "confirmed": true, "totals": .array(confirmed.totals.map(\.json)),
                    "payouts_released": .int(Int64(confirmed.released)),
                    "payouts_still_waiting": .int(Int64(confirmed.stillWaiting)),
                ]).serialized())
        }
        v1.get("/payouts/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(
                .ok,
                bytes: try await payouts.load(context.parameter("id"), RequestInfo(key: key, context: context)).json
                    .serialized())
        }
        v1.post("/payouts/{id}/cancel") { request, context in
            let key = try context.requireRole(writers)
            _ = try BodyReader(request.body, allowed: [])
            return .json(
                .ok,
                bytes: try await payouts.cancel(context.parameter("id"), RequestInfo(key: key, context: context)).json
                    .serialized())
        }
        v1.post("/payouts/{id}/approve") { request, context in
            let key = try context.requireRole(approvers)
            try freshness.requireConfirmed()
            _ = try BodyReader(request.body, allowed: [])
            return .json(
                .ok,
                bytes: try await payouts.approve(context.parameter("id"), RequestInfo(key: key, context: context)).json
                    .serialized())
        }
        v1.post("/payouts/{id}/release") { request, context in
            let key = try context.requireRole(approvers)
            try freshness.requireConfirmed()
            _ = try BodyReader(request.body, allowed: [])
            return .json(
                .ok,
                bytes: try await payouts.release(context.parameter("id"), RequestInfo(key: key, context: context)).json
                    .serialized())
        }
        v1.post("/payout-batches") { request, context in
            let key = try context.requireRole(writers)
            let input = try BatchInput(request: request, maxItems: batchMaxItems)
            let info = RequestInfo(key: key, context: context)
            if input.dryRun {
                // A dry run does all the work of a batch and keeps none of it: limited per tenant.
                let decision = dryRuns.consume(
                    info.tenantID, cost: 1, capacity: dryRunsPerMinute, refillPerMinute: dryRunsPerMinute)
                guard decision.allowed else {
                    throw HTTPError.tooManyRequests(
                        retryAfterSeconds: decision.retryAfterSeconds,
                        message: "At most \(dryRunsPerMinute) batch dry runs a minute.")
                }
            } else {
                try freshness.requireConfirmed()
                _ = try context.requireIdempotencyKey("A payout batch moves money (a dry run needs none)")
            }
            let committed = try await batches.submit(
                items: input.items, readErrors: input.errors, dryRun: input.dryRun, info
            ) {
                .json(.created, $0.json)
            }
            return committed.response { outcome in
                switch outcome {
                case .created(let view): return .json(.created, bytes: view.json.serialized())
                case .checked(let check): return report(check, requestID: context.requestID)
                }
            }
        }
        v1.get("/payout-batches/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(
                .ok,
                bytes: try await batches.get(context.parameter("id"), RequestInfo(key: key, context: context)).json
                    .serialized())
        }
    }

    /// What a dry run found, or why a real batch was refused (422 `batch_invalid`, nothing created).
    static func report(_ check: Batches.Check, requestID: String) -> HTTPResponse {
        let items: [JSONValue] = check.created.map { index, payout in
            [
                "index": .int(Int64(index)), "payee_id": .string(payout.payeeID), "amount": .int(payout.amount),
                "currency": .string(payout.currency.code), "would_be": .string(payout.status.rawValue),
                "approval_reasons": .array(payout.approvalReasons.map(JSONValue.string)),
                "hold_reasons": .array(payout.holdReasons.map(JSONValue.string)),
            ]
        }
        let body: JSONValue = [
            "object": "payout_batch_check", "dry_run": .bool(check.dryRun), "valid": .bool(check.isValid),
            "item_count": .int(Int64(check.itemCount)), "totals": check.totals, "items": .array(items),
            "errors": .array(check.errors.map(\.json)),
        ]
        if check.dryRun { return .json(.ok, bytes: body.serialized()) }
        let envelope: JSONValue = [
            "code": "batch_invalid",
            "message": .string(
                "\(check.errors.count) of the batch's items are invalid; nothing was created. See error.items."),
            "param": "items", "request_id": .string(requestID), "items": .array(check.errors.map(\.json)),
        ]
        return .json(.unprocessableContent, bytes: JSONValue.object(["error": envelope]).serialized())
    }
}
