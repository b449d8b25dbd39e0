import Foundation
import HTTP
import Platform
import Shared

/// The notifications service process: boots the shared runtime, migrates the `notifications` schema, serves its routes.
public enum NotificationsService {
    public static let identity = ServiceIdentity(name: "notifications", defaultPort: 8083, migrations: NotificationsMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let router = Router()
        // Everything payments and payouts route here (the shell acknowledges it; the notifications issue consumes it).
        let senders = EventSenders(["payments": ["tenant.", "api_key.", "connector.", "payment.", "refund.", "fulfillment.", "dispute.", "payee."],
                                    "payouts": ["payout.", "payee.", "provider_balance."]])
        InternalEventsEndpoint(schema: "notifications", database: runtime.database, consumer: NotificationsEventConsumer(), senders: senders,
                               metrics: runtime.metrics)
            .register(on: router, authentication: runtime.internalAuthentication)
        let server = runtime.makeServer(router: router)
        return await runtime.run([server])
    }
}
