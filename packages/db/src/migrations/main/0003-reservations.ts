import { stepMigration } from '../steps.ts';

/**
 * Reservations end at a time (issue 11: now + 6–15 minutes): the sweeper releases those whose
 * time ran out and whose trade has no accepted offer, and search hides an item while it is
 * reserved (issue 10; the seed's operators moved from a must-not list of reserved ids to a
 * reserved-until time per item). The index serves the sweeper's "active and past its end".
 */
export const migration = stepMigration(
  [
    {
      sql: `ALTER TABLE reservations ADD COLUMN reserved_until DATETIME(3) NOT NULL DEFAULT '1970-01-01 00:00:01' AFTER created_at`,
      unlessExists: { table: 'reservations', column: 'reserved_until' },
    },
    {
      sql: `CREATE INDEX ix_reservations_until ON reservations (released_at, reserved_until)`,
      unlessExists: { table: 'reservations', index: 'ix_reservations_until' },
    },
  ],
  [
    {
      sql: `DROP INDEX ix_reservations_until ON reservations`,
      onlyIfExists: { table: 'reservations', index: 'ix_reservations_until' },
    },
    {
      sql: `ALTER TABLE reservations DROP COLUMN reserved_until`,
      onlyIfExists: { table: 'reservations', column: 'reserved_until' },
    },
  ],
);
