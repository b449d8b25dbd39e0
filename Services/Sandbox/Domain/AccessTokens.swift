import Foundation
import Shared
import Synchronization

/// OAuth-style access tokens a provider issues for client credentials (PayPal's `POST /v1/oauth2/token`,
/// MTN's `POST /disbursement/token/`), valid for `lifetime`; other calls present one as
/// `Authorization: Bearer`. `mint` shapes the token like the provider's.
final class AccessTokens: Sendable {
    enum Lookup: Sendable {
        case valid(accountID: String)
        case expired
        case unknown
    }

    private struct Token {
        let accountID: String
        let expiresAt: ContinuousClock.Instant
    }

    private struct State {
        var tokens: [String: Token] = [:]
        var issuedSincePrune = 0
    }

    let lifetime: Duration
    private let mint: @Sendable () -> String
    private let state = Mutex(State())

    init(lifetime: Duration, mint: @escaping @Sendable () -> String) {
        self.lifetime = lifetime
        self.mint = mint
    }

    /// A new token for the account.
    func issue(accountID: String) -> String {
        let token = mint()
        let now = ContinuousClock.now
        state.withLock { state in
            state.tokens[token] = Token(accountID: accountID, expiresAt: now + lifetime)
            state.issuedSincePrune += 1
            // Clients that fetch a token per call would otherwise grow this without bound.
            if state.issuedSincePrune >= 10_000 {
                state.issuedSincePrune = 0
                state.tokens = state.tokens.filter { $0.value.expiresAt > now }
            }
        }
        return token
    }

    func look(up token: String) -> Lookup {
        guard let found = state.withLock({ $0.tokens[token] }) else { return .unknown }
        return found.expiresAt > ContinuousClock.now ? .valid(accountID: found.accountID) : .expired
    }
}
