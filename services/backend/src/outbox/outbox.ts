// The outbox writer lives in @platform/bus so every service writing to the main database (the
// backend, sinv) writes its events the same way; the relay stays here.
export { OutboxWriter, messageOf, type OutboxMessage } from '@platform/bus';
