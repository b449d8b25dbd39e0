// TEMPORARY stand-in until the normalizers branch merges (deleted then).
import HTTP
import Shared

enum WebhookNormalizers {
    static func normalizer(for provider: ProviderName) -> any WebhookNormalizer { TemporaryNormalizer() }
}

struct TemporaryNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        guard let type = body["type"]?.stringValue else { throw NormalizationError("missing type") }
        var fact: ProviderFact?
        if type == "payment_intent.succeeded", let id = body.value(at: "data.object.id")?.stringValue {
            fact = ProviderFact(type: .paymentCaptured, providerObjectID: id, cofferID: body.value(at: "data.object.metadata.coffer_payment_id")?.stringValue,
                                amount: body.value(at: "data.object.amount_received")?.int64Value,
                                currency: body.value(at: "data.object.currency")?.stringValue?.uppercased())
        }
        return NormalizedWebhook(providerEventID: body["id"]?.stringValue, providerEventType: type, livemode: body["livemode"]?.boolValue, event: fact)
    }
}
