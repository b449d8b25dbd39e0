import ProviderKit
import Synchronization

/// A PayPal OAuth access token and when to stop using it.
struct PayPalAccessToken: Sendable, Equatable {
    let value: String
    /// A little before PayPal's expiry, so no call sets out with a token that expires in flight.
    let refreshAfter: ContinuousClock.Instant

    /// Refreshes five minutes early, or halfway through a lifetime shorter than ten minutes.
    init(value: String, expiresIn: Duration, now: ContinuousClock.Instant = .now) {
        self.value = value
        let margin = min(Duration.seconds(300), expiresIn / 2)
        refreshAfter = now.advanced(by: expiresIn - margin)
    }
}

/// Access tokens per connector. One fetch at a time per connector: concurrent calls that find no
/// valid token wait for the same fetch instead of each asking PayPal for one.
final class PayPalTokenCache: Sendable {
    typealias Fetch = @Sendable () async -> Result<PayPalAccessToken, ProviderError>
    private typealias FetchTask = Task<Result<PayPalAccessToken, ProviderError>, Never>

    private enum Entry {
        case ready(PayPalAccessToken)
        case fetching(id: UInt64, FetchTask)
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var fetches: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A valid token for `key`, fetching one with `fetch` when there is none (or it is due for refresh).
    func token(for key: String, fetch: @escaping Fetch) async throws(ProviderError) -> PayPalAccessToken {
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
        case cached(PayPalAccessToken)
        case wait(FetchTask)
    }

    /// Forgets `value` after PayPal refused it (401), unless a newer token already replaced it.
    func invalidate(_ key: String, value: String) {
        state.withLock { state in
            if case .ready(let token) = state.entries[key], token.value == value { state.entries[key] = nil }
        }
    }

    private func finish(_ key: String, id: UInt64, _ result: Result<PayPalAccessToken, ProviderError>) {
        state.withLock { state in
            guard case .fetching(let current, _) = state.entries[key], current == id else { return }
            switch result {
            case .success(let token): state.entries[key] = .ready(token)
            case .failure: state.entries[key] = nil
            }
        }
    }
}
