import Shared

/// What every simulated provider shares: accounts, behaviour, the operation log, idempotency memory,
/// the webhook dispatcher, the queue of delayed work (payouts settling), and the sandbox's own public
/// URL for links it hands out.
final class SimulatorContext: Sendable {
    /// Base URL customers and connectors reach the sandbox at (`SANDBOX_PUBLIC_URL`), no trailing slash.
    let publicURL: String
    let accounts: AccountRegistry
    let behaviour: BehaviourBook
    let operations: OperationLog
    let idempotency: IdempotencyCache
    let webhooks: WebhookDispatcher
    let generation: ResetGeneration
    let delayed: DelayedWork
    /// What a payout balance pot opens with (`SANDBOX_PAYOUT_BALANCE`).
    let payoutOpeningBalance: Int64
    let logger: Logger

    init(
        publicURL: String, accounts: AccountRegistry, behaviour: BehaviourBook, operations: OperationLog,
        idempotency: IdempotencyCache, webhooks: WebhookDispatcher, generation: ResetGeneration,
        payoutOpeningBalance: Int64, logger: Logger
    ) {
        self.publicURL = publicURL
        self.accounts = accounts
        self.behaviour = behaviour
        self.operations = operations
        self.idempotency = idempotency
        self.webhooks = webhooks
        self.generation = generation
        self.delayed = DelayedWork(generation: generation)
        self.payoutOpeningBalance = payoutOpeningBalance
        self.logger = logger
    }

    /// Plays the payee's bank: runs `settle` after the account's payout delay, unless automatic
    /// settlement is off for it (the control API settles it then) or a reset forgot the payout.
    func schedulePayoutSettlement(
        _ provider: SandboxProvider, accountID: String, _ settle: @escaping @Sendable () -> Void
    ) {
        let rules = behaviour.effective(provider, accountID: accountID)
        guard rules.payoutAutoSettle else { return }
        delayed.schedule(after: rules.payoutDelayMilliseconds, settle)
    }

    /// Plays the customer: runs `complete` after the account's auto-complete delay, unless
    /// auto-completion is off for it or a reset has forgotten the object meanwhile.
    func scheduleAutoComplete(
        _ provider: SandboxProvider, accountID: String, _ complete: @escaping @Sendable () -> Void
    ) {
        let rules = behaviour.effective(provider, accountID: accountID)
        guard rules.autoComplete else { return }
        let epoch = generation.current
        let delay = rules.autoCompleteDelayMilliseconds
        Task { [generation] in
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            guard generation.current == epoch else { return }
            complete()
        }
    }

    /// Uses up one `decline_next` for the account, if any is left.
    func takeDecline(_ provider: SandboxProvider, accountID: String) -> Bool {
        behaviour.takeDecline(provider, accountID: accountID)
    }
}
