import Platform

/// Ingress delivers straight from its event rows (one subscriber per provider event): the relay
/// claims them there and builds each `provider.*` envelope from the stored normalized event.
enum IngressDelivery {
    static let table = DeliveryTable(
        table: "ingress.webhook_events", idColumn: "id", idType: "text", eventIDColumn: "id",
        subscriberColumn: "delivery_subscriber", orderingKeyColumn: "ordering_key", statusColumn: "delivery_status",
        attemptsColumn: "delivery_attempts", nextAttemptColumn: "next_delivery_at", errorColumn: "delivery_error",
        deliveredAtColumn: "delivered_at",
        payloadExpression: """
            json_build_object('id', o.id, 'type', o.normalized_type, 'source', 'ingress', 'tenant_id', o.tenant_id,
                'occurred_at', o.normalized->>'occurred_at', 'correlation_id', o.correlation_id, 'data', o.normalized)::text
            """)
}
