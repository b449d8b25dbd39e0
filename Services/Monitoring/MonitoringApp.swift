import Foundation
import HTTP
import Platform
import Shared

/// The monitoring service process: boots the shared runtime, migrates the `monitoring` schema, serves its routes.
public enum MonitoringApp {
    public static let identity = ServiceIdentity(
        name: "monitoring", defaultPort: 8084, migrations: MonitoringMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let router = Router()
        let server = runtime.makeServer(router: router)
        return await runtime.run([server])
    }
}
