import { Kysely } from 'kysely';

// The customer's default card comes from customer.* events; their Stripe `created` guards the order.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('billing_customers')
    .addColumn('default_payment_method_id', 'text')
    .addColumn('default_payment_method_event_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('billing_customers')
    .dropColumn('default_payment_method_event_at')
    .dropColumn('default_payment_method_id')
    .execute();
}
