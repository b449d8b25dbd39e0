import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// The notifications process: boots the shared runtime, migrates the `notifications` schema, receives
/// the events routed to it.
public enum NotificationsApp {
    public static let identity = ServiceIdentity(
        name: "notifications", defaultPort: 8083, migrations: NotificationsMigrations.all)

    /// Everything payments and payouts route here.
    static let senders = EventSenders([
        "payments": ["tenant.", "api_key.", "connector.", "payment.", "refund.", "fulfillment.", "dispute.", "payee."],
        "payouts": ["payout.", "payee.", "provider_balance."],
    ])

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let scaffold = ServiceScaffold(
            runtime: runtime, schema: "notifications", events: nil, relay: OutboxRelayConfiguration(), audited: false,
            idempotency: nil)
        scaffold.receiveEvents(NotificationsEventConsumer(), senders: senders)
        return await runtime.run(scaffold.services())
    }
}
