import Foundation
import HTTP
import Platform
import Shared

/// The payouts service process: boots the shared runtime, migrates the `payouts` schema, serves its routes.
public enum PayoutsService {
    public static let identity = ServiceIdentity(name: "payouts", defaultPort: 8082, migrations: PayoutsMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let router = Router()
        InternalEventsEndpoint(schema: "payouts", database: runtime.database, consumer: PayoutsEventConsumer(), metrics: runtime.metrics)
            .register(on: router, authentication: runtime.internalAuthentication)
        let server = runtime.makeServer(router: router)
        return await runtime.run([server])
    }
}
