import Foundation
import HTTP
import Shared

/// Zamtel Kwacha callbacks, read exactly like MTN MoMo's (see `MTNNormalizer`): status, `externalId`
/// (Coffer's own id, `cofferID`), `financialTransactionId`, a major-unit `amount` string, `payer`/`payee`.
///
/// The shape is ASSUMED, not documented: no public Zamtel callback reference could be found, and Coffer's
/// provider notes say to treat Zamtel like MTN. What makes the assumption safe is that a Zamtel callback
/// is only a hint: ingress confirms every one through Zamtel's status API before anything acts, so a
/// body that does not fit is refused (400) or confirmed, never trusted. The currency defaults to ZMW,
/// Zamtel's only currency, when the body names none.
struct ZamtelNormalizer: WebhookNormalizer {
    private let momo = MTNNormalizer(defaultCurrency: .zmw)

    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        try momo.normalize(body: body, headers: headers)
    }
}
