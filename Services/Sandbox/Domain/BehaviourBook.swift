import Shared
import Synchronization

/// The current behaviour of each provider, with optional per-account overrides on top. Counters
/// are used up from the account's override first, then from the provider's.
final class BehaviourBook: Sendable {
    private struct State {
        var providers: [SandboxProvider: Behaviour]
        var accounts: [String: BehaviourPatch] = [:]
    }

    /// What the gate must do with one API call.
    struct Admission: Sendable {
        var latencyMilliseconds: Int
        /// Answer with this status instead of executing the call.
        var failStatus: Int?
        /// Execute, then hold the answer this long.
        var timeoutMilliseconds: Int?
    }

    private enum Counter {
        case fail, timeout, decline

        func value(_ behaviour: Behaviour) -> Int {
            switch self {
            case .fail: behaviour.failNext
            case .timeout: behaviour.timeoutNext
            case .decline: behaviour.declineNext
            }
        }

        func value(_ patch: BehaviourPatch) -> Int? {
            switch self {
            case .fail: patch.failNext
            case .timeout: patch.timeoutNext
            case .decline: patch.declineNext
            }
        }

        func decrement(_ behaviour: inout Behaviour) {
            switch self {
            case .fail: behaviour.failNext -= 1
            case .timeout: behaviour.timeoutNext -= 1
            case .decline: behaviour.declineNext -= 1
            }
        }

        func decrement(_ patch: inout BehaviourPatch) {
            switch self {
            case .fail: patch.failNext = (patch.failNext ?? 1) - 1
            case .timeout: patch.timeoutNext = (patch.timeoutNext ?? 1) - 1
            case .decline: patch.declineNext = (patch.declineNext ?? 1) - 1
            }
        }
    }

    let defaults: Behaviour
    private let state: Mutex<State>

    init(defaults: Behaviour) {
        self.defaults = defaults
        state = Mutex(
            State(providers: Dictionary(uniqueKeysWithValues: SandboxProvider.allCases.map { ($0, defaults) })))
    }

    /// Merges `patch` into the provider's behaviour, or into one account's override.
    func update(_ provider: SandboxProvider, accountID: String?, patch: BehaviourPatch) {
        state.withLock { state in
            if let accountID {
                state.accounts[accountID, default: BehaviourPatch()].merge(patch)
            } else {
                state.providers[provider, default: defaults].apply(patch)
            }
        }
    }

    /// The behaviour that applies to calls of `accountID`.
    func effective(_ provider: SandboxProvider, accountID: String?) -> Behaviour {
        state.withLock { Self.effective($0, provider, accountID) }
    }

    /// Decides one API call's fate, using up a `fail_next` (or else a `timeout_next`).
    func admit(_ provider: SandboxProvider, accountID: String) -> Admission {
        state.withLock { state in
            let behaviour = Self.effective(state, provider, accountID)
            var admission = Admission(latencyMilliseconds: behaviour.latencyMilliseconds)
            if Self.take(.fail, &state, provider, accountID) {
                admission.failStatus = behaviour.failStatus
            } else if Self.take(.timeout, &state, provider, accountID) {
                admission.timeoutMilliseconds = behaviour.timeoutMilliseconds
            }
            return admission
        }
    }

    /// Uses up one `decline_next`; true when the current charge attempt must be declined.
    func takeDecline(_ provider: SandboxProvider, accountID: String) -> Bool {
        state.withLock { Self.take(.decline, &$0, provider, accountID) }
    }

    func reset() {
        state.withLock { state in
            state = State(providers: Dictionary(uniqueKeysWithValues: SandboxProvider.allCases.map { ($0, defaults) }))
        }
    }

    /// `{"stripe": {…, "accounts": {"acct_…": {overrides}}}, …}`.
    func json(accountProvider: (String) -> SandboxProvider?) -> JSONValue {
        state.withLock { state in
            var result: [String: JSONValue] = [:]
            for provider in SandboxProvider.allCases {
                var members = state.providers[provider, default: defaults].json.objectValue ?? [:]
                var overrides: [String: JSONValue] = [:]
                for (accountID, patch) in state.accounts where accountProvider(accountID) == provider {
                    overrides[accountID] = patch.json
                }
                members["accounts"] = .object(overrides)
                result[provider.rawValue] = .object(members)
            }
            return .object(result)
        }
    }

    private static func effective(_ state: State, _ provider: SandboxProvider, _ accountID: String?) -> Behaviour {
        var behaviour = state.providers[provider] ?? Behaviour()
        if let accountID, let patch = state.accounts[accountID] { behaviour.apply(patch) }
        return behaviour
    }

    private static func take(_ counter: Counter, _ state: inout State, _ provider: SandboxProvider, _ accountID: String)
        -> Bool
    {
        if var patch = state.accounts[accountID], let value = counter.value(patch), value > 0 {
            counter.decrement(&patch)
            state.accounts[accountID] = patch
            return true
        }
        guard var behaviour = state.providers[provider], counter.value(behaviour) > 0 else { return false }
        counter.decrement(&behaviour)
        state.providers[provider] = behaviour
        return true
    }
}
