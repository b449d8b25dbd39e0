/// Webhook bodies shaped like the providers' documented examples (ids and values made up), used to
/// check that the parser reads real-world documents exactly.
enum ProviderPayloads {
    /// Stripe `payment_intent.succeeded`; `amount_received` is 2^53 + 1, which binary floating point cannot hold.
    static let stripe = #"""
        {
          "id": "evt_3PqF2aLkdIwHu7ix0Hx9aBcD",
          "object": "event",
          "api_version": "2024-06-20",
          "created": 1724270445,
          "data": {
            "object": {
              "id": "pi_3PqF2aLkdIwHu7ix0d1Yx2Zq",
              "object": "payment_intent",
              "amount": 2000,
              "amount_capturable": 0,
              "amount_received": 9007199254740993,
              "application_fee_amount": null,
              "capture_method": "automatic_async",
              "charges": {
                "object": "list",
                "data": [
                  {
                    "id": "ch_3PqF2aLkdIwHu7ix0vB0aV9t",
                    "amount": 2000,
                    "balance_transaction": "txn_3PqF2aLkdIwHu7ix0aQ1dX6f",
                    "fee_details": [ { "amount": 88, "currency": "usd", "type": "stripe_fee" } ],
                    "paid": true,
                    "outcome": { "network_status": "approved_by_network", "risk_score": 32, "type": "authorized" }
                  }
                ],
                "has_more": false
              },
              "client_secret": "pi_3PqF2aLkdIwHu7ix0d1Yx2Zq_secret_Xb0x",
              "created": 1724270444,
              "currency": "usd",
              "customer": null,
              "description": "Order #6735 \u2014 2 \u00d7 \"Coffee\"",
              "latest_charge": "ch_3PqF2aLkdIwHu7ix0vB0aV9t",
              "livemode": false,
              "metadata": { "order_id": "6735", "tenantRef": "shop-42" },
              "payment_method_types": [ "card", "link" ],
              "status": "succeeded",
              "exchange_rate": 1.0873e0
            }
          },
          "livemode": false,
          "pending_webhooks": 1,
          "request": { "id": "req_v1Q7lH0eTKZ2uS", "idempotency_key": null },
          "type": "payment_intent.succeeded"
        }
        """#

    /// Razorpay `payment.captured`; amounts in paise, a note with a 20-digit number.
    static let razorpay = #"""
        {"entity":"event","account_id":"acc_BFQ7uQEaa7j2z7","event":"payment.captured","contains":["payment"],
        "payload":{"payment":{"entity":{"id":"pay_DESlfW9H8K9uqM","entity":"payment","amount":50000,"currency":"INR",
        "base_amount":50000,"status":"captured","order_id":"order_DESlLckIVRkHWj","invoice_id":null,"international":false,
        "method":"upi","amount_refunded":0,"amount_transferred":0,"refund_status":null,"captured":true,
        "description":"Test \u20b9 payment","card_id":null,"bank":null,"wallet":null,"vpa":"gaurav.kumar@exampleupi",
        "email":"gaurav.kumar@example.com","contact":"+919876543210","notes":{"customer_ref":12345678901234567890,
        "note_key":"Tea, Earl Grey\/Hot"},"fee":1180,"tax":180,"error_code":null,"error_description":null,
        "error_source":null,"error_step":null,"error_reason":null,"acquirer_data":{"rrn":"225907367412",
        "upi_transaction_id":"FA1E8A3B9C0D4E5F"},"created_at":1567674599}}},"created_at":1567674606}
        """#

    /// PayPal `PAYMENT.CAPTURE.COMPLETED`: amounts are strings in major units.
    static let paypal = #"""
        {
          "id": "WH-58D329510W468432D-8HN650336L201105X",
          "create_time": "2024-08-21T19:14:03.000Z",
          "resource_type": "capture",
          "event_type": "PAYMENT.CAPTURE.COMPLETED",
          "summary": "Payment completed for $ 10.50 USD",
          "resource": {
            "id": "42311647XV020574X",
            "amount": { "currency_code": "USD", "value": "10.50" },
            "final_capture": true,
            "seller_protection": { "status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"] },
            "seller_receivable_breakdown": {
              "gross_amount": { "currency_code": "USD", "value": "10.50" },
              "paypal_fee": { "currency_code": "USD", "value": "0.81" },
              "net_amount": { "currency_code": "USD", "value": "9.69" }
            },
            "supplementary_data": { "related_ids": { "order_id": "5O190127TN364715T" } },
            "status": "COMPLETED",
            "create_time": "2024-08-21T19:13:59Z",
            "update_time": "2024-08-21T19:13:59Z"
          },
          "links": [
            { "href": "https://api.paypal.com/v1/notifications/webhooks-events/WH-58D329510W468432D-8HN650336L201105X", "rel": "self", "method": "GET" },
            { "href": "https://api.paypal.com/v2/payments/captures/42311647XV020574X", "rel": "up", "method": "GET" }
          ],
          "event_version": "1.0",
          "resource_version": "2.0"
        }
        """#
}
