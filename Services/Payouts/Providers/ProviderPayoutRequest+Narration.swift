import Foundation

extension ProviderPayoutRequest {
    /// The narration as sent: at most 30 characters (the contract's limit, and RazorpayX's), trimmed,
    /// nil when nothing is left.
    var sentNarration: String? {
        guard let narration else { return nil }
        let trimmed = String(narration.prefix(30)).trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}
