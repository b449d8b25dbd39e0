/// The type tag in front of a Coffer id (`pay` in `pay_01JD3X…`), so an id says what it names and a
/// payment id pasted where a refund id belongs is refused before any lookup.
public struct IDPrefix: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static let tenant = IDPrefix(rawValue: "ten")
    public static let apiKey = IDPrefix(rawValue: "key")
    public static let connector = IDPrefix(rawValue: "con")
    public static let payment = IDPrefix(rawValue: "pay")
    public static let refund = IDPrefix(rawValue: "re")
    public static let payout = IDPrefix(rawValue: "po")
    public static let payee = IDPrefix(rawValue: "pe")
    public static let payoutBatch = IDPrefix(rawValue: "pob")
    public static let event = IDPrefix(rawValue: "evt")
    public static let attempt = IDPrefix(rawValue: "wha")
    public static let auditEntry = IDPrefix(rawValue: "aud")
    public static let fulfillment = IDPrefix(rawValue: "ful")
    public static let dispute = IDPrefix(rawValue: "dp")
    public static let notification = IDPrefix(rawValue: "ntf")
    public static let webhookEndpoint = IDPrefix(rawValue: "we")
    public static let alert = IDPrefix(rawValue: "alr")
    public static let ledgerEntry = IDPrefix(rawValue: "le")
    public static let request = IDPrefix(rawValue: "req")
    public static let reconciliationReport = IDPrefix(rawValue: "rec")
    public static let balanceHold = IDPrefix(rawValue: "bh")
    public static let settingsChange = IDPrefix(rawValue: "sc")
    public static let connectorChange = IDPrefix(rawValue: "cc")
    public static let creditRequest = IDPrefix(rawValue: "cr")
}
