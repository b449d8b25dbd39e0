import Platform

/// `cofferctl audit verify`: walks the audit hash chains of the services that keep one. The work is
/// `AuditVerifyCommandLine` (in Platform, beside the route it calls); this passes it the environment.
struct AuditCommand: CtlCommand {
    let name = "audit"
    let summary = "Verify the audit trails' hash chains"
    var usage: String { AuditVerifyCommandLine.usage }

    func run(arguments: [String], environment: CtlEnvironment, output: CtlOutput) async -> Int32 {
        let urls = Dictionary(
            environment.internalServices.map { ($0.name, $0.url) }, uniquingKeysWith: { first, _ in first })
        return await AuditVerifyCommandLine.run(
            arguments: arguments, serviceURLs: urls, adminToken: environment["COFFER_ADMIN_TOKEN"],
            write: { output.line($0) })
    }
}
