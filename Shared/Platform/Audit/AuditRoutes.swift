import HTTP
import Postgres
import Shared

/// The operator's view of a service's audit trail: `GET /admin/audit/verify[?tenant_id=ten_…|platform]`
/// walks the chains and answers `{"ok":…,"tenants":n,"rows":n,"unsealed":n,"problems":[…]}` (200 even
/// when problems were found: the request worked; `ok` says whether the trail did). `cofferctl audit
/// verify` calls it on every service that keeps an audit log.
public enum AuditRoutes {
    public static func register(
        on router: Router, runtime: ServiceRuntime, schema: String,
        unsealedThreshold: Duration = .seconds(300)
    ) {
        register(
            on: router, authentication: runtime.adminAuthentication,
            verifier: AuditVerifier(schema: schema, database: runtime.database, unsealedThreshold: unsealedThreshold))
    }

    /// The same route with its parts given (tests, or a service with its own operator authentication).
    public static func register(on router: Router, authentication: any HTTPAdmission, verifier: AuditVerifier) {
        router.get("/admin/audit/verify", admission: [authentication]) { request, context in
            let tenant = request.queryParameters["tenant_id"]
            if let tenant, tenant.utf8.count > 200 {
                throw HTTPError.badRequest("tenant_id is too long.", code: "invalid_parameter", param: "tenant_id")
            }
            let started = ContinuousClock.now
            let report = try await verifier.verify(AuditChainScope(tenantParameter: tenant))
            let elapsed = ContinuousClock.now - started
            let fields: LogFields = [
                "audit.ok": .bool(report.ok), "audit.tenants": .int(Int64(report.tenantsChecked)),
                "audit.rows": .int(Int64(report.rowsChecked)), "audit.problems": .int(Int64(report.problems.count)),
                "audit.duration_ms": .duration(milliseconds: elapsed),
            ]
            if report.ok {
                context.logger.info("audit chains verified", fields)
            } else {
                context.logger.error("audit chains failed verification", fields)
            }
            return .json(.ok, bytes: report.json.serialized())
        }
    }
}
