import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// What other services read from payments, the owner of tenancy: the whole copy (a new replica's first
/// load) and what changed since a time (each replica confirms its copy within TENANCY_MAX_STALENESS).
enum InternalRoutes {
    static func register(
        on router: Router, snapshots: TenancySnapshotSource, changes: TenancyChangesSource,
        readers: InternalAuthenticator
    ) {
        router.get("/internal/snapshot/tenants", admission: [readers], middleware: [readers]) { _, _ in
            .json(.ok, bytes: Array(try JSONCoding.makeEncoder().encode(try await snapshots.snapshot())))
        }
        router.get("/internal/tenancy/changes", admission: [readers], middleware: [readers]) { request, _ in
            var since: Date?
            if let text = request.queryParameters["since"] {
                guard let parsed = Timestamp.parse(text) else {
                    throw HTTPError.badRequest(
                        "since must be an RFC 3339 time.", code: "invalid_parameter", param: "since")
                }
                since = parsed
            }
            return .json(
                .ok, bytes: Array(try JSONCoding.makeEncoder().encode(try await changes.changes(since: since))))
        }
    }
}
