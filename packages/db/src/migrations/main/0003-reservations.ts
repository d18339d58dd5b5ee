import { sql, type Kysely } from 'kysely';

/**
 * Reservations end at a time (issue 11: now + 6–15 minutes): the sweeper releases those whose
 * time ran out and whose trade has no accepted offer, and search hides an item while it is
 * reserved (issue 10; the seed's operators moved from a must-not list of reserved ids to a
 * reserved-until time per item). The index serves the sweeper's "active and past its end".
 */
const up_ = [
  `ALTER TABLE reservations
    ADD COLUMN reserved_until DATETIME(3) NOT NULL DEFAULT '1970-01-01 00:00:01' AFTER created_at`,
  `CREATE INDEX ix_reservations_until ON reservations (released_at, reserved_until)`,
];

const down_ = [
  `DROP INDEX ix_reservations_until ON reservations`,
  `ALTER TABLE reservations DROP COLUMN reserved_until`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
