/// A payment's lifecycle. Transitions not listed are refused (409 `invalid_state`); provider events
/// that would move a payment backwards (a late `failed` after `captured`) are ignored and logged.
enum PaymentStatus: String, Sendable, CaseIterable {
    case requiresAction = "requires_action"
    case processing
    case authorized
    /// A capture call is in flight (a second capture is refused meanwhile).
    case capturing
    case captured
    case partiallyRefunded = "partially_refunded"
    case refunded
    case failed
    case canceled

    /// Money was taken: refunds and disputes apply.
    var isCaptured: Bool { self == .captured || self == .partiallyRefunded || self == .refunded }
    var isTerminal: Bool { isCaptured || self == .failed || self == .canceled }
    var canCapture: Bool { self == .authorized }
    var canCancel: Bool { self == .requiresAction || self == .processing || self == .authorized }
    /// A provider saying "failed" or "authorized" may move it from here.
    var awaitsOutcome: Bool { self == .requiresAction || self == .processing || self == .authorized || self == .capturing }
}
