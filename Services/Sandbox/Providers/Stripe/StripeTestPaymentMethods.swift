/// Stripe's test payment methods decide what a charge attempt does, as their test cards do.
enum StripeTestPaymentMethods {
    enum Outcome: Sendable, Equatable {
        case succeed
        case decline(code: String, declineCode: String?, message: String)
        /// 3-D Secure: the customer must authenticate first.
        case requireAuthentication
    }

    static let `default` = "pm_card_visa"

    static let genericDecline = Outcome.decline(
        code: "card_declined", declineCode: "generic_decline",
        message: "Your card was declined.")

    /// nil for a payment method Stripe would not know (`No such PaymentMethod`).
    static func outcome(of paymentMethod: String) -> Outcome? {
        switch paymentMethod {
        case "pm_card_visa", "pm_card_visa_debit", "pm_card_mastercard", "pm_card_mastercard_debit",
            "pm_card_mastercard_prepaid", "pm_card_amex", "pm_card_discover", "pm_card_diners", "pm_card_jcb",
            "pm_card_unionpay", "pm_card_us", "pm_card_gb", "pm_card_in", "pm_card_bypassPending":
            return .succeed
        case "pm_card_chargeDeclined":
            return genericDecline
        case "pm_card_chargeDeclinedInsufficientFunds":
            return .decline(
                code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds.")
        case "pm_card_chargeDeclinedLostCard":
            return .decline(code: "card_declined", declineCode: "lost_card", message: "Your card was declined.")
        case "pm_card_chargeDeclinedStolenCard":
            return .decline(code: "card_declined", declineCode: "stolen_card", message: "Your card was declined.")
        case "pm_card_chargeDeclinedFraudulent":
            return .decline(code: "card_declined", declineCode: "fraudulent", message: "Your card was declined.")
        case "pm_card_chargeDeclinedExpiredCard":
            return .decline(code: "expired_card", declineCode: "expired_card", message: "Your card has expired.")
        case "pm_card_chargeDeclinedIncorrectCvc":
            return .decline(
                code: "incorrect_cvc", declineCode: "incorrect_cvc", message: "Your card's security code is incorrect.")
        case "pm_card_chargeDeclinedProcessingError":
            return .decline(
                code: "processing_error", declineCode: "processing_error",
                message: "An error occurred while processing your card. Try again in a little bit.")
        case "pm_card_authenticationRequired", "pm_card_threeDSecure2Required", "pm_card_threeDSecureRequired",
            "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds":
            return .requireAuthentication
        default:
            return nil
        }
    }
}
