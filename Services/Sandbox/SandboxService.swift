import Foundation
import HTTP
import Platform
import Shared

/// The sandbox service process: boots the shared runtime, migrates the `sandbox` schema, serves its routes.
public enum SandboxService {
    public static let identity = ServiceIdentity(name: "sandbox", defaultPort: 8090, migrations: SandboxMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let router = Router()
        SandboxControlRoutes.register(on: router)
        let server = runtime.makeServer(router: router)
        return await runtime.run([server])
    }
}
