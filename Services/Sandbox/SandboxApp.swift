import Foundation
import HTTP
import Platform
import Shared

/// The sandbox's parts, built from its runtime and configuration: the shared simulator context,
/// one simulator per provider, the operation store, and the router with provider and control routes.
struct SandboxApp: Sendable {
    let context: SimulatorContext
    let stripe: StripeSimulator
    let razorpay: RazorpaySimulator
    let paypal: PayPalSimulator
    let mtn: MTNSimulator
    let operationStore: OperationStore
    let accountStore: AccountStore
    let server: ServiceListeners

    var services: [any Service] { [operationStore, server] }

    /// Builds everything and loads what earlier runs persisted (accounts, operations).
    static func make(runtime: ServiceRuntime, configuration: SandboxConfiguration) async throws -> SandboxApp {
        let logger = runtime.logger
        let accounts = AccountRegistry()
        let behaviour = BehaviourBook(defaults: configuration.defaultBehaviour)
        let generation = ResetGeneration()
        let operations = OperationLog()
        let paypalIdentity = try await SigningIdentityStore(database: runtime.database).paypalIdentity(logger: logger)
        let signers: [SandboxProvider: any WebhookSigner] = [
            .stripe: StripeWebhookSigner(), .razorpay: RazorpayWebhookSigner(),
            .paypal: PayPalWebhookSigner(identity: paypalIdentity, publicURL: configuration.publicURL),
            .mtn: MTNCallbackSigner(),
        ]
        let webhooks = WebhookDispatcher(
            settings: configuration.webhooks, client: runtime.httpClient, signers: signers,
            accounts: accounts, behaviour: behaviour, generation: generation, logger: logger)
        let context = SimulatorContext(
            publicURL: configuration.publicURL, accounts: accounts, behaviour: behaviour, operations: operations,
            idempotency: IdempotencyCache(capacity: configuration.idempotencyCapacity), webhooks: webhooks,
            generation: generation, payoutOpeningBalance: configuration.payoutOpeningBalance, logger: logger)
        let accountStore = AccountStore(database: runtime.database)
        let operationStore = OperationStore(
            database: runtime.database, log: operations,
            interval: configuration.operationsFlushInterval, logger: logger)
        accounts.replaceAll(with: try await accountStore.load())
        operations.restore(try await operationStore.load())

        let stripe = StripeSimulator(context: context)
        let razorpay = RazorpaySimulator(context: context)
        let paypal = PayPalSimulator(
            context: context,
            tokens: AccessTokens(lifetime: configuration.paypalTokenLifetime, mint: PayPalSimulator.mintToken),
            identity: paypalIdentity)
        let mtn = MTNSimulator(
            context: context,
            tokens: AccessTokens(lifetime: configuration.mtnTokenLifetime, mint: MTNSimulator.mintToken))
        let simulators: [SandboxProvider: any ProviderSimulator] = [
            .stripe: stripe, .razorpay: razorpay, .paypal: paypal, .mtn: mtn,
        ]
        let payoutSimulators: [SandboxProvider: any PayoutSimulator] = [
            .stripe: stripe, .razorpay: razorpay, .mtn: mtn,
        ]

        let router = Router()
        SandboxControlRoutes.register(on: router)
        AccountRoutes.register(on: router, accounts: accounts, store: accountStore)
        BehaviourRoutes.register(on: router, behaviour: behaviour, accounts: accounts) { includingAccounts in
            // Delayed work scheduled before this point becomes a no-op.
            generation.advance()
            for simulator in simulators.values { simulator.reset() }
            behaviour.reset()
            webhooks.reset()
            context.idempotency.reset()
            operations.reset()
            try await operationStore.deleteAll()
            if includingAccounts {
                try await accountStore.deleteAll()
                accounts.replaceAll(with: [])
            }
        }
        OperationRoutes.register(on: router, operations: operations)
        WebhookControlRoutes.register(on: router, webhooks: webhooks, simulators: simulators)
        PayoutControlRoutes.register(on: router, simulators: payoutSimulators, accounts: accounts)
        StripeRoutes.register(on: router, simulator: stripe)
        RazorpayRoutes.register(on: router, simulator: razorpay)
        PayPalRoutes.register(on: router, simulator: paypal)
        MTNRoutes.register(on: router, simulator: mtn)
        let server = runtime.makeServer(router: router)
        logger.info(
            "sandbox ready",
            [
                "public_url": .string(configuration.publicURL), "accounts": .int(Int64(accounts.all.count)),
                "operations": .int(Int64(operations.count)),
            ])
        return SandboxApp(
            context: context, stripe: stripe, razorpay: razorpay, paypal: paypal, mtn: mtn,
            operationStore: operationStore,
            accountStore: accountStore, server: server)
    }
}
