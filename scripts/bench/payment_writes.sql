-- pgbench: the statements one payment makes (what POST /v1/payments writes, with the provider call
-- taken out), in its three transactions — the ceiling PostgreSQL alone sets on this machine.
-- Needs -D tenant="'<tenant id>'" -D connector="'<connector id>'" (quoted: pgbench substitutes text).
\set n random(1, 2000000000)
\set k :client_id * 1000000000 + :n
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
INSERT INTO payments.idempotency_keys (scope, key, tenant_id, request_method, request_path, fingerprint, status, locked_until, expires_at)
  VALUES ('tenant:' || :tenant, 'bench-' || :k, :tenant, 'POST', '/v1/payments', md5(:k::text), 'in_progress', now() + interval '2 minutes', now() + interval '1 day')
  ON CONFLICT (scope, key) DO NOTHING RETURNING 1;
COMMIT;
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
INSERT INTO payments.payments (id, tenant_id, livemode, amount, currency, status, capture_method, provider, connector_id, metadata, created_by)
  VALUES ('pay_bench_' || :k, :tenant, false, 1050, 'USD', 'processing', 'automatic', 'stripe', :connector, '{}', 'key_bench');
UPDATE payments.idempotency_keys SET recovery_point = 'pay_bench_' || :k WHERE scope = 'tenant:' || :tenant AND key = 'bench-' || :k;
COMMIT;
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT * FROM payments.payments WHERE id = 'pay_bench_' || :k FOR UPDATE;
SELECT settings::text FROM payments.tenants WHERE id = :tenant;
INSERT INTO payments.fulfillments (id, tenant_id, payment_id, status) VALUES ('ful_bench_' || :k, :tenant, 'pay_bench_' || :k, 'fulfilled') ON CONFLICT (payment_id) DO NOTHING;
INSERT INTO payments.ledger_transactions (id, tenant_id, kind, reference, livemode) VALUES ('le_bench_' || :k, :tenant, 'capture', 'pay_bench_' || :k, false) ON CONFLICT DO NOTHING;
INSERT INTO payments.ledger_entries (transaction_id, tenant_id, account, currency, amount, livemode)
  SELECT 'le_bench_' || :k, :tenant, a, 'USD', n, false FROM unnest(ARRAY['provider_clearing', 'merchant_payable', 'platform_revenue'], ARRAY[1050, -1024, -26]) AS x(a, n);
UPDATE payments.payments SET status = 'captured', amount_captured = 1050, provider_payment_id = 'pi_bench_' || :k, captured_at = now(), updated_at = now()
  WHERE id = 'pay_bench_' || :k;
INSERT INTO payments.outbox (event_id, subscriber, ordering_key, event_type, tenant_id, payload)
  VALUES ('evt_bench_' || :k, 'notifications', 'pay_bench_' || :k, 'payment.captured', :tenant, repeat('x', 1100));
UPDATE payments.idempotency_keys SET status = 'completed', locked_until = NULL, response_status = 201, response_body = decode(repeat('78', 900), 'hex')
  WHERE scope = 'tenant:' || :tenant AND key = 'bench-' || :k;
COMMIT;
