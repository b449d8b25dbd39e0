import Contracts
import Foundation
import HTTP
import ProviderKit
import Shared

/// One provider's payouts API (send money out, look a payout up, read the balance) in Coffer's terms.
/// Adapters only translate and call: the queue, retries, leases and reconciliation live in the
/// payouts service. Every send carries the payout's idempotency key (its Coffer id, or a value derived
/// from it where the provider needs another shape), so a retry after a crash or timeout never pays twice.
protocol PayoutProviderAdapter: Sendable {
    var provider: ProviderName { get }
    /// The destination kinds this provider pays to.
    var destinations: Set<PayoutDestination.Kind> { get }
    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    /// The provider's view of a payout: by its id when known, otherwise by Coffer's reference (the
    /// payout id sent with it). Nil when the provider has no such payout (it was never received).
    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    /// The money available for payouts in `currency` at the provider (minor units), nil when the
    /// provider does not say.
    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64?
}

/// Where a payout goes. Account numbers are secrets: never logged, masked in responses.
enum PayoutDestination: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable, Codable {
        case bankAccount = "bank_account"
        case upi
        case mobileMoney = "mobile_money"
        case paypal
        case stripeAccount = "stripe_account"
    }

    /// A bank account: number, IFSC (India) or other routing code, and the holder's name.
    case bankAccount(accountNumber: String, ifsc: String, holderName: String)
    /// A UPI virtual payment address (`name@bank`).
    case upi(vpa: String, holderName: String)
    /// A mobile-money wallet: MSISDN in international form without `+` (`260971234567`).
    case mobileMoney(msisdn: String, holderName: String)
    /// A PayPal account's email.
    case paypal(email: String)
    /// A Stripe connected account (`acct_…`).
    case stripeAccount(accountID: String)

    var kind: Kind {
        switch self {
        case .bankAccount: .bankAccount
        case .upi: .upi
        case .mobileMoney: .mobileMoney
        case .paypal: .paypal
        case .stripeAccount: .stripeAccount
        }
    }
}

/// What Coffer asks a provider to pay.
struct ProviderPayoutRequest: Sendable {
    /// Coffer's payout id (`po_…`): the reference the provider echoes back in webhooks and lookups.
    let payoutID: String
    let amount: Money
    let destination: PayoutDestination
    /// `payout`, `salary`, `refund`, `referral`, `test` (the destination check), as the provider names it where it asks.
    let purpose: String
    /// Shown to the payee where the provider supports it (at most 30 characters are sent).
    let narration: String?
    /// Sent as the provider's idempotency key (the payout id, or derived from it).
    let idempotencyKey: String
}

/// A payout as the provider reports it.
struct ProviderPayoutState: Sendable, Equatable {
    enum Status: Sendable, Equatable {
        /// Accepted, not yet final (queued or in flight at the provider): a webhook or a lookup settles it.
        case pending
        case processed
        /// Refused or failed for good (invalid account, insufficient funds at the provider): `code` as the provider says.
        case failed(code: String?, message: String?)
        /// Paid, then returned by the destination bank or network.
        case reversed
    }

    let providerPayoutID: String
    let status: Status
    let amount: Int64
    let currency: Currency
    /// The provider's own status word, for logs and support.
    let rawStatus: String
}
