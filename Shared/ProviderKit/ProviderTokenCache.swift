import Synchronization

/// An OAuth-style access token (PayPal, MTN MoMo, Airtel Money) and when to stop using it.
public struct ProviderAccessToken: Sendable, Equatable {
    public let value: String
    /// A little before the provider's expiry, so no call sets out with a token that expires in flight.
    public let refreshAfter: ContinuousClock.Instant

    /// Refreshes five minutes early, or halfway through a lifetime shorter than ten minutes (Airtel's
    /// tokens can live three minutes).
    public init(value: String, expiresIn: Duration, now: ContinuousClock.Instant = .now) {
        self.value = value
        let margin = min(Duration.seconds(300), expiresIn / 2)
        refreshAfter = now.advanced(by: expiresIn - margin)
    }
}

/// Access tokens by key (one per connector and credential). One fetch at a time per key: concurrent
/// calls that find no valid token wait for the same fetch instead of each asking the provider for one,
/// which matters for providers that revoke the previous token when they issue a new one.
///
/// Used by the payments PayPal adapter and the PayPal, MTN and Airtel payout adapters.
public final class ProviderTokenCache: Sendable {
    public typealias Fetch = @Sendable () async -> Result<ProviderAccessToken, ProviderError>
    private typealias FetchTask = Task<Result<ProviderAccessToken, ProviderError>, Never>

    private enum Entry {
        case ready(ProviderAccessToken)
        case fetching(id: UInt64, FetchTask)
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var fetches: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A valid token for `key`, fetching one with `fetch` when there is none (or it is due for refresh).
    public func token(for key: String, fetch: @escaping Fetch) async throws(ProviderError) -> ProviderAccessToken {
        let now = ContinuousClock.now
        let found: Lookup = state.withLock { state in
            switch state.entries[key] {
            case .ready(let token) where now < token.refreshAfter:
                return .cached(token)
            case .fetching(_, let task):
                return .wait(task)
            default:
                state.fetches += 1
                let id = state.fetches
                // The fetch stores its own result, so it completes the cache even if every caller
                // waiting on it is cancelled.
                let task = FetchTask { [self] in
                    let result = await fetch()
                    finish(key, id: id, result)
                    return result
                }
                state.entries[key] = .fetching(id: id, task)
                return .wait(task)
            }
        }
        switch found {
        case .cached(let token): return token
        case .wait(let task): return try await task.value.get()
        }
    }

    private enum Lookup {
        case cached(ProviderAccessToken)
        case wait(FetchTask)
    }

    /// Forgets `value` after the provider refused it (401), unless a newer token already replaced it.
    public func invalidate(_ key: String, value: String) {
        state.withLock { state in
            if case .ready(let token) = state.entries[key], token.value == value { state.entries[key] = nil }
        }
    }

    private func finish(_ key: String, id: UInt64, _ result: Result<ProviderAccessToken, ProviderError>) {
        state.withLock { state in
            guard case .fetching(let current, _) = state.entries[key], current == id else { return }
            switch result {
            case .success(let token): state.entries[key] = .ready(token)
            case .failure: state.entries[key] = nil
            }
        }
    }
}
