import Foundation
import HTTP
import Platform
import Shared

/// The provider sandbox process: Stripe, Razorpay and PayPal look-alikes for development, tests, the
/// demo and benchmarks — never deployed to production. Objects, behaviour and idempotency keys live
/// in memory (a restart is a fresh provider); accounts and executed operations are also kept in the
/// `sandbox` schema, so a restarted sandbox keeps its configuration and its proof of what executed.
public enum SandboxService {
    public static let identity = ServiceIdentity(name: "sandbox", defaultPort: 8090, migrations: SandboxMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, configuration) = await ServiceRuntime.boot(identity) { reader, common in
            SandboxConfiguration(reader: &reader, common: common)
        }
        let app: SandboxApp
        do {
            app = try await SandboxApp.make(runtime: runtime, configuration: configuration)
        } catch {
            runtime.logger.critical(
                "cannot start: loading sandbox state failed", ["error": .string(String(describing: error))])
            runtime.logger.sink.flush()
            return 1
        }
        return await runtime.run(app.services)
    }
}
