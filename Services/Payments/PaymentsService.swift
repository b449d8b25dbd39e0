import Foundation
import HTTP
import Platform
import Shared

/// The payments service process: boots the shared runtime, migrates the `payments` schema, serves its routes.
public enum PaymentsService {
    public static let identity = ServiceIdentity(name: "payments", defaultPort: 8081, migrations: PaymentsMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let router = Router()
        let server = runtime.makeServer(router: router)
        return await runtime.run([server])
    }
}
