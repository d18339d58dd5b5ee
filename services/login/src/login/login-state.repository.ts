import { createHash } from 'node:crypto';
import { AppError } from '@platform/core';
import { redisKeys, type RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Redis down during a sign-in is a 503 the person can retry, not a 500. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new AppError('DEPENDENCY_UNAVAILABLE', undefined, undefined, { cause: err });
  }
}

/**
 * Redis records of the sign-in in progress: the state (where to go afterwards) and the OpenID
 * nonces already used. Keys are hashes, so Redis holds nothing a browser could replay.
 */
export class LoginStateRepository {
  readonly #redis: Redis;
  readonly #keys: RedisKeys['login'];

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#keys = redisKeys(keyPrefix).login;
  }

  async saveState(state: string, returnTo: string, ttlSeconds: number): Promise<void> {
    await call(() =>
      this.#redis.set(this.#keys.state(sha256(state)), JSON.stringify({ returnTo }), 'EX', ttlSeconds),
    );
  }

  /** The state's record, removed in the same step: a state finishes at most one login. */
  async takeState(state: string): Promise<{ returnTo: string } | undefined> {
    const raw = await call(() => this.#redis.getdel(this.#keys.state(sha256(state))));
    return raw === null ? undefined : (JSON.parse(raw) as { returnTo: string });
  }

  /**
   * Records a nonce; false when it was seen before (steam.md §1.4 item 7: Steam's own replay
   * protection is not guaranteed). Kept twice the accepted age, so it outlives its validity.
   */
  async useNonce(nonce: string, maxAgeSeconds: number): Promise<boolean> {
    const ok = await call(() =>
      this.#redis.set(this.#keys.nonce(sha256(nonce)), '1', 'EX', maxAgeSeconds * 2, 'NX'),
    );
    return ok === 'OK';
  }
}
