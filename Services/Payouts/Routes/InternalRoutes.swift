import Foundation
import HTTP
import Platform
import Shared

/// What payouts answers other services on the internal listener (payments only).
enum InternalRoutes {
    static func register(on router: Router, core: PayoutsCore, readers: InternalAuthenticator) {
        // Every payee as `payee.upserted` carries it, for a consumer that starts empty (DESIGN.md).
        router.get("/internal/snapshot/payees", admission: [readers], middleware: [readers]) { _, _ in
            let payees = try await core.database.platformTransaction { connection in
                try await core.payees.snapshot(on: connection)
            }
            return .json(.ok, bytes: JSONValue.object(["payees": .array(payees)]).serialized())
        }
        // The mode of payouts payments' ledger rows name (the livemode backfill, for destination checks).
        router.get("/internal/payouts/modes", admission: [readers], middleware: [readers]) { request, _ in
            let ids = (request.queryParameters["ids"] ?? "").split(separator: ",").map(String.init)
                .filter { CofferID.isValid($0, prefix: .payout) }.prefix(1000)
            let modes = try await core.database.platformTransaction { connection in
                try await core.payouts.modes(Array(ids), on: connection)
            }
            return .json(
                .ok,
                bytes: JSONValue.object([
                    "payouts": .array(modes.map { ["id": .string($0.0), "livemode": .bool($0.1)] })
                ]).serialized())
        }
    }
}
