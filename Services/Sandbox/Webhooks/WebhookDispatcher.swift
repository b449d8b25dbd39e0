import HTTP
import Shared
import Synchronization

/// Sends simulated providers' webhooks like the real ones do: asynchronously (an API call never waits
/// for them), signed per transmission, retried with backoff on a non-2xx answer or none — and, on
/// demand, late, duplicated, reordered, dropped or badly signed.
final class WebhookDispatcher: Sendable {
    /// Delivery knobs (environment: `SANDBOX_WEBHOOK_*`).
    struct Settings: Sendable {
        /// Attempts per webhook, the first included.
        var attempts = 5
        var retryBase: Duration = .milliseconds(500)
        var retryMax: Duration = .seconds(5)
        var timeout: Duration = .seconds(5)
        /// Transmissions in flight at once, across all accounts.
        var concurrency = 64
        /// How long reordered webhooks are held before they are sent (newest first) unless flushed.
        var reorderWindow: Duration = .seconds(2)
        /// Webhooks waiting for their first attempt before new ones are dropped (and logged): a safety
        /// valve against an endpoint far slower than the API traffic, not something tests should reach.
        var queueLimit = 1_000_000
    }

    private struct Held: Sendable {
        let deliveryID: Int64
        let webhook: OutgoingWebhook
        let badSignature: Bool
    }

    /// Webhooks whose first attempts go out in order, by one worker.
    private struct Batch: Sendable {
        let items: [Held]
        let epoch: Int
    }

    private struct HeldGroup {
        let token: Int
        var items: [Held]
    }

    private struct State {
        var held: [String: HeldGroup] = [:]
        var nextToken = 0
    }

    let log = WebhookDeliveryLog()
    private let settings: Settings
    private let client: any HTTPClient
    private let signers: [SandboxProvider: any WebhookSigner]
    private let accounts: AccountRegistry
    private let behaviour: BehaviourBook
    private let generation: ResetGeneration
    private let permits: AsyncSemaphore
    private let logger: Logger
    private let state = Mutex(State())
    private let queue: AsyncStream<Batch>.Continuation
    /// Webhooks queued or in their first attempt.
    private let queued = Atomic<Int>(0)
    private let overflowed = Atomic<Int>(0)

    init(
        settings: Settings, client: any HTTPClient, signers: [SandboxProvider: any WebhookSigner],
        accounts: AccountRegistry,
        behaviour: BehaviourBook, generation: ResetGeneration, logger: Logger
    ) {
        self.settings = settings
        self.client = client
        self.signers = signers
        self.accounts = accounts
        self.behaviour = behaviour
        self.generation = generation
        self.permits = AsyncSemaphore(permits: settings.concurrency)
        self.logger = logger.with(["component": "webhooks"])
        // Queued batches are plain data; only `concurrency` tasks ever exist to send them.
        let (stream, continuation) = AsyncStream.makeStream(of: Batch.self)
        queue = continuation
        Task { [self] in
            for await batch in stream {
                await permits.acquire()
                Task {
                    await transmitInOrder(batch.items, epoch: batch.epoch)
                    permits.release()
                }
            }
        }
    }

    /// Queues the events of one provider-side change, in the order they happened. Returns at once.
    func send(_ webhooks: [OutgoingWebhook]) {
        guard !webhooks.isEmpty else { return }
        let epoch = generation.current
        var sequence: [Held] = []
        var delayMilliseconds = 0
        for webhook in webhooks {
            let rules = behaviour.effective(webhook.provider, accountID: webhook.accountID)
            let copies = 1 + rules.webhookDuplicates
            guard webhook.url ?? accounts.account(id: webhook.accountID)?.webhookURL != nil else {
                _ = log.add(webhook, copy: 0, badSignature: false, status: .noEndpoint)
                continue
            }
            if rules.webhookDrop {
                for copy in 0..<copies {
                    _ = log.add(webhook, copy: copy, badSignature: rules.webhookBadSignature, status: .dropped)
                }
                logger.info(
                    "webhook dropped on purpose",
                    ["event_id": .string(webhook.eventID), "event_type": .string(webhook.eventType)])
                continue
            }
            for copy in 0..<copies {
                if rules.webhookReorder {
                    let id = log.add(webhook, copy: copy, badSignature: rules.webhookBadSignature, status: .held)
                    hold(Held(deliveryID: id, webhook: webhook, badSignature: rules.webhookBadSignature), epoch: epoch)
                } else {
                    let id = log.add(webhook, copy: copy, badSignature: rules.webhookBadSignature, status: .pending)
                    sequence.append(Held(deliveryID: id, webhook: webhook, badSignature: rules.webhookBadSignature))
                    delayMilliseconds = max(delayMilliseconds, rules.webhookDelayMilliseconds)
                }
            }
        }
        guard !sequence.isEmpty else { return }
        guard delayMilliseconds > 0 else { return enqueue(sequence, epoch: epoch) }
        Task { [self] in
            try? await Task.sleep(for: .milliseconds(delayMilliseconds))
            enqueue(sequence, epoch: epoch)
        }
    }

    /// Sends every held (reordered) webhook now, each group newest first. Returns how many.
    @discardableResult
    func flushHeld() -> Int {
        let groups = state.withLock { state -> [HeldGroup] in
            defer { state.held.removeAll() }
            return Array(state.held.values).sorted { $0.token < $1.token }
        }
        let epoch = generation.current
        for group in groups { enqueue(group.items.reversed(), epoch: epoch) }
        return groups.reduce(0) { $0 + $1.items.count }
    }

    /// Forgets held webhooks (a reset); deliveries already under way stop at their next attempt.
    func reset() {
        state.withLock { $0 = State() }
        log.reset()
    }

    private func hold(_ item: Held, epoch: Int) {
        let key = item.webhook.accountID + "\u{0}" + item.webhook.groupKey
        let newToken = state.withLock { state -> Int? in
            if state.held[key] != nil {
                state.held[key]?.items.append(item)
                return nil
            }
            state.nextToken += 1
            state.held[key] = HeldGroup(token: state.nextToken, items: [item])
            return state.nextToken
        }
        guard let newToken else { return }
        let window = settings.reorderWindow
        Task { [self] in
            try? await Task.sleep(for: window)
            let group = state.withLock { state -> HeldGroup? in
                guard let group = state.held[key], group.token == newToken else { return nil }
                state.held[key] = nil
                return group
            }
            if let group { enqueue(group.items.reversed(), epoch: epoch) }
        }
    }

    private func enqueue(_ items: [Held], epoch: Int) {
        let total = queued.add(items.count, ordering: .relaxed).newValue
        guard total <= settings.queueLimit else {
            queued.subtract(items.count, ordering: .relaxed)
            for item in items {
                log.update(item.deliveryID) { record in
                    record.status = .dropped
                    record.lastError = "queue full"
                }
            }
            // One line per thousand, so an overload does not also flood the log.
            let dropped = overflowed.add(items.count, ordering: .relaxed).newValue
            if dropped % 1000 < items.count {
                logger.warning(
                    "webhook queue full; dropping webhooks",
                    [
                        "dropped_total": .int(Int64(dropped)),
                        "queue_limit": .int(Int64(settings.queueLimit)),
                    ])
            }
            return
        }
        queue.yield(Batch(items: items, epoch: epoch))
    }

    /// First attempts go out one after another, in order; a webhook that needs retries retries on its
    /// own, so one failing endpoint answer does not hold back the rest.
    /// Runs holding a permit (taken by the queue's reader).
    private func transmitInOrder(_ items: [Held], epoch: Int) async {
        for item in items {
            log.update(item.deliveryID) { $0.status = .pending }
            let settled = await attempt(item, number: 1, epoch: epoch)
            queued.subtract(1, ordering: .relaxed)
            if settled { continue }
            Task { [self] in await retry(item, epoch: epoch) }
        }
    }

    private func retry(_ item: Held, epoch: Int) async {
        for number in 2...max(2, settings.attempts) where number <= settings.attempts {
            try? await Task.sleep(
                for: RetryPolicy.backoffCeiling(base: settings.retryBase, attempt: number - 1, cap: settings.retryMax))
            if await permits.withPermit({ await attempt(item, number: number, epoch: epoch) }) { return }
        }
        guard generation.current == epoch else { return }
        log.update(item.deliveryID) { $0.status = .failed }
        logger.warning(
            "webhook not delivered; giving up",
            [
                "event_id": .string(item.webhook.eventID), "event_type": .string(item.webhook.eventType),
                "attempts": .int(Int64(settings.attempts)),
            ])
    }

    /// One transmission, by a caller holding a permit; true when it is settled (delivered, or there is
    /// nothing more to do).
    private func attempt(_ item: Held, number: Int, epoch: Int) async -> Bool {
        guard generation.current == epoch else {
            log.update(item.deliveryID) { $0.status = .canceled }
            return true
        }
        // Looked up per attempt: a re-registered URL or secret applies to retries, as at a provider.
        guard let account = accounts.account(id: item.webhook.accountID),
            let url = item.webhook.url ?? account.webhookURL, let signer = signers[item.webhook.provider]
        else {
            log.update(item.deliveryID) { $0.status = .noEndpoint }
            return true
        }
        var headers = signer.headers(for: item.webhook, account: account, corrupt: item.badSignature)
        if !headers.contains("Content-Type") { headers.add("Content-Type", "application/json") }
        let request = HTTPClientRequest(
            method: item.webhook.method, url: url, headers: headers, body: item.webhook.body,
            timeout: settings.timeout, retryPolicy: RetryPolicy.none, isIdempotent: false)
        var statusCode: Int?
        var failure: String?
        do {
            statusCode = try await client.send(request).status.code
        } catch {
            failure = String(describing: error)
        }
        let delivered = statusCode.map { (200..<300).contains($0) } ?? false
        let now = Timestamp.nowUnixMilliseconds()
        log.update(item.deliveryID) { record in
            record.attempts = number
            record.lastStatusCode = statusCode
            record.lastError = failure
            if delivered {
                record.status = .delivered
                record.deliveredAtMilliseconds = now
            }
        }
        if !delivered {
            logger.info(
                "webhook attempt failed",
                [
                    "event_id": .string(item.webhook.eventID), "event_type": .string(item.webhook.eventType),
                    "attempt": .int(Int64(number)),
                    "status": statusCode.map { .int(Int64($0)) } ?? .string("no answer"),
                ])
        }
        return delivered
    }
}
