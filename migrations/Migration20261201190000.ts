import { Migration } from '@mikro-orm/migrations';
// Disruption: a workshop's cancel and move are booking events of their own (`cancelled_by_workshop`,
// `moved_by_workshop`, with the reason in their data). Webhook subscribers hear them as the
// booking.cancelled and booking.rescheduled they are. A job's start is recorded as `started` (the
// mapping only knew `in_progress`, so booking.started was never sent); the rest is unchanged.

export class Migration20261201190000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create or replace function "webhook_event_type"(t text) returns text language sql immutable as $$
      select case t
        when 'requested' then 'booking.requested' when 'accepted' then 'booking.accepted'
        when 'declined' then 'booking.declined' when 'expired' then 'booking.expired'
        when 'cancelled' then 'booking.cancelled' when 'rescheduled' then 'booking.rescheduled'
        when 'cancelled_by_workshop' then 'booking.cancelled' when 'moved_by_workshop' then 'booking.rescheduled'
        when 'move_requested' then 'booking.move_requested' when 'moved' then 'booking.moved'
        when 'started' then 'booking.started' when 'in_progress' then 'booking.started' when 'completed' then 'booking.completed'
        when 'no_show' then 'booking.no_show' else null end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function "webhook_event_type"(t text) returns text language sql immutable as $$
      select case t
        when 'requested' then 'booking.requested' when 'accepted' then 'booking.accepted'
        when 'declined' then 'booking.declined' when 'expired' then 'booking.expired'
        when 'cancelled' then 'booking.cancelled' when 'rescheduled' then 'booking.rescheduled'
        when 'move_requested' then 'booking.move_requested' when 'moved' then 'booking.moved'
        when 'in_progress' then 'booking.started' when 'completed' then 'booking.completed'
        when 'no_show' then 'booking.no_show' else null end $$;`);
  }
}
