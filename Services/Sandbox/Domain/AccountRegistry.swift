import Shared
import Synchronization

/// Registered provider accounts, by provider and credential. Re-registering a credential replaces
/// its configuration and keeps its id.
final class AccountRegistry: Sendable {
    private struct State {
        var byCredential: [SandboxProvider: [String: SandboxAccount]] = [:]
        var byID: [String: SandboxAccount] = [:]
    }

    private let state = Mutex(State())

    /// Adds or replaces `account`; true when it replaced one.
    @discardableResult
    func register(_ account: SandboxAccount) -> Bool {
        state.withLock { state in
            let previous = state.byCredential[account.provider, default: [:]].updateValue(
                account, forKey: account.credential)
            if let previous, previous.id != account.id { state.byID[previous.id] = nil }
            state.byID[account.id] = account
            return previous != nil
        }
    }

    func existingID(provider: SandboxProvider, credential: String) -> String? {
        state.withLock { $0.byCredential[provider]?[credential]?.id }
    }

    /// The account whose credential is `credential`.
    func account(_ provider: SandboxProvider, credential: String) -> SandboxAccount? {
        state.withLock { $0.byCredential[provider]?[credential] }
    }

    func account(id: String) -> SandboxAccount? {
        state.withLock { $0.byID[id] }
    }

    /// An account named by its sandbox id or by its credential (control requests accept either).
    func resolve(_ provider: SandboxProvider, reference: String) -> SandboxAccount? {
        state.withLock { state in
            if let byID = state.byID[reference], byID.provider == provider { return byID }
            return state.byCredential[provider]?[reference]
        }
    }

    /// Checks a key id and secret pair (Razorpay, PayPal) in constant time.
    func authenticate(_ provider: SandboxProvider, credential: String, secret: String) -> SandboxAccount? {
        guard let account = account(provider, credential: credential), let expected = account.secret,
            ConstantTime.equals(expected, secret)
        else { return nil }
        return account
    }

    var all: [SandboxAccount] {
        state.withLock { state in
            state.byID.values.sorted { ($0.provider, $0.credential) < ($1.provider, $1.credential) }
        }
    }

    func replaceAll(with accounts: [SandboxAccount]) {
        state.withLock { state in
            state = State()
            for account in accounts {
                state.byCredential[account.provider, default: [:]][account.credential] = account
                state.byID[account.id] = account
            }
        }
    }
}
