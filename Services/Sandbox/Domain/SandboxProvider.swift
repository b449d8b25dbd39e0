/// The providers the sandbox simulates. Each lives under its own URL prefix (`/stripe`, …) and its
/// own `Providers/<Name>/` folder. MTN MoMo is simulated for disbursements (payouts) only.
enum SandboxProvider: String, Sendable, CaseIterable, Comparable {
    case stripe, razorpay, paypal, mtn

    static func < (lhs: SandboxProvider, rhs: SandboxProvider) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The provider named in a control request (`"stripe"`), case-insensitively.
    init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}
