import Foundation
import Shared
import Synchronization

/// PayPal OAuth access tokens (`POST /v1/oauth2/token`), valid for `lifetime`; every other call must
/// present one as `Authorization: Bearer`.
final class PayPalTokens: Sendable {
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
    private let state = Mutex(State())

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// A new token for the account (`A21AA…`, as PayPal's look).
    func issue(accountID: String) -> String {
        let token =
            "A21AA"
            + ProviderIDs.random(
                92, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8))
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
