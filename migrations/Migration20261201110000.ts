import { Migration } from '@mikro-orm/migrations';
// Money that a booking keeps without completing (docs/money.md, "Money through a booking's life"):
//  - `ended_at`: when the booking reached its final state (completed, cancelled, no-show, declined,
//    expired), on the domain clock. The dispute window and the escrow release of whatever was
//    captured (the price at completion, or a late-cancellation / no-show fee) count from here;
//    before this, only completions were ever released and fees stayed in escrow for good.
//  - `fee_owed_minor`: the fee the booking owes under its terms when it ended other than by
//    completion (0 for a free cancellation, a decline, an expiry). A booking captured early (its
//    authorization about to lapse) gets everything above this back: the pending call `refund`.
// Existing rows: completed ones end at their completion; fee-charged ones at their cancel / no-show
// event, so fees captured before this migration are released too.

export class Migration20261201110000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "booking_payment" add column "ended_at" timestamptz null, add column "fee_owed_minor" bigint null;`);
    this.addSql(`alter table "booking_payment" add constraint "booking_payment_fee_owed_check" check ("fee_owed_minor" is null or "fee_owed_minor" >= 0);`);
    this.addSql(`alter table "booking_payment" drop constraint "booking_payment_pending_check";`);
    this.addSql(`alter table "booking_payment" add constraint "booking_payment_pending_check" check ("pending_action" in ('capture', 'fee_capture', 'void', 'refund'));`);
    this.addSql(`update "booking_payment" set "ended_at" = "completed_at" where "completed_at" is not null;`);
    // The fee each one owed, by the rule the flow applies (payment-flow.ts feeOwedFor): a no-show its
    // no-show fee, a cancellation after start − free_cancel_hours its late fee, anything else nothing.
    this.addSql(`update "booking_payment" p set "ended_at" = e.at, "fee_owed_minor" = case
          when b.status = 'no_show' then least(p.no_show_fee_minor, p.authorized_minor)
          when b.status = 'cancelled' and e.at > b.starts_at - make_interval(hours => p.free_cancel_hours) then least(p.late_cancel_fee_minor, p.authorized_minor)
          else 0 end
      from (select booking_id, max(at) as at from booking_event where type in ('cancelled', 'no_show', 'declined', 'expired') group by booking_id) e,
           booking b
     where e.booking_id = p.booking_id and b.id = p.booking_id and b.status in ('cancelled', 'no_show', 'declined', 'expired')
       and p.ended_at is null and p.provider is not null;`);
    this.addSql(`drop index if exists "booking_payment_unreleased_index";`);
    this.addSql(`create index "booking_payment_unreleased_index" on "booking_payment" ("ended_at") where "captured_minor" > 0 and "released_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "booking_payment_unreleased_index";`);
    this.addSql(`create index "booking_payment_unreleased_index" on "booking_payment" ("completed_at") where "captured_minor" > 0 and "released_at" is null;`);
    this.addSql(`update "booking_payment" set "pending_action" = null, "pending_amount" = null where "pending_action" = 'refund';`);
    this.addSql(`alter table "booking_payment" drop constraint "booking_payment_pending_check";`);
    this.addSql(`alter table "booking_payment" add constraint "booking_payment_pending_check" check ("pending_action" in ('capture', 'fee_capture', 'void'));`);
    this.addSql(`alter table "booking_payment" drop constraint "booking_payment_fee_owed_check";`);
    this.addSql(`alter table "booking_payment" drop column "ended_at", drop column "fee_owed_minor";`);
  }

}
