import { Kysely, MysqlDialect, type MysqlPool, type MysqlPoolConnection } from 'kysely';
import { createPool, type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import { AppError } from '@platform/core';

export interface MysqlSettings {
  url: URL;
  database: string;
  pricingDatabase: string;
  poolSize: number;
  /** Longest wait for a free pool connection before DEPENDENCY_UNAVAILABLE (default 5 s). */
  acquireTimeoutMs?: number;
}

export const DEFAULT_ACQUIRE_TIMEOUT_MS = 5_000;

/**
 * The pool as Kysely sees it, with a bound on the wait for a free connection: mysql2 queues a
 * request without limit while every connection is busy (a slow query storm, a stuck
 * transaction), and each request would hang with it. Past `timeoutMs` the caller gets
 * DEPENDENCY_UNAVAILABLE (503 at the HTTP edge, a retry for a job); the queued request stays in
 * mysql2's queue, and the connection it gets later goes straight back to the pool.
 */
export function withAcquireTimeout(pool: Pool, timeoutMs: number): MysqlPool {
  return {
    getConnection(callback) {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        callback(
          new AppError(
            'DEPENDENCY_UNAVAILABLE',
            `No MySQL connection came free within ${timeoutMs} ms (pool of ${pool.config.connectionLimit}).`,
          ),
          undefined as unknown as MysqlPoolConnection,
        );
      }, timeoutMs);
      pool.getConnection((err, conn) => {
        if (settled) {
          if (!err) conn.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        callback(err, conn);
      });
    },
    end(callback) {
      pool.end(callback);
    },
  };
}

/**
 * Pool options shared by every connection the platform opens. BIGINT columns come back as
 * decimal strings (supportBigNumbers + bigNumberStrings), so a 64-bit id or an amount never
 * passes through a double; DECIMAL too. Times are UTC both ways: mysql2 renders and reads
 * DATETIME as UTC (`timezone: 'Z'`), and createMysqlPool puts each session in UTC, so what the
 * server fills in (DEFAULT CURRENT_TIMESTAMP) and compares with (CURRENT_TIMESTAMP, NOW()) is UTC too.
 */
export function poolOptions(
  settings: Pick<MysqlSettings, 'url' | 'poolSize'>,
  database?: string,
): PoolOptions {
  const u = settings.url;
  const socketPath = u.searchParams.get('socket');
  return {
    ...(socketPath ? { socketPath } : { host: u.hostname, port: u.port ? Number(u.port) : 3306 }),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(database ? { database } : {}),
    connectionLimit: settings.poolSize,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    // JSON columns come back as text on MySQL 8 too, as they do from MariaDB (where JSON is a
    // LONGTEXT): otherwise MySQL 8 hands over parsed values, and a JSON string value such as
    // "123" would be parsed a second time by readers written against MariaDB.
    jsonStrings: true,
    timezone: 'Z',
    dateStrings: false,
    charset: 'utf8mb4_unicode_ci',
    // Bounds opening a connection (an unreachable server fails in 10 s, not the OS's minutes).
    // The wait for a free pool slot is bounded apart (withAcquireTimeout).
    connectTimeout: 10_000,
    enableKeepAlive: true,
  };
}

const UTC = "SET time_zone = '+00:00'";

/**
 * A mysql2 pool whose every connection runs in UTC, whatever the server's default zone (a
 * server on local time is common, and RDS/Aurora default to UTC only by parameter group).
 * `connection` fires once per new connection, before the caller that asked for it gets it, and
 * a connection runs its commands in order, so the SET precedes any query on it. If the SET
 * fails, the connection is destroyed: better a failed query than a time read in the wrong zone.
 */
export function createMysqlPool(options: PoolOptions): Pool {
  const pool = createPool(options);
  pool.on('connection', (conn) => {
    conn.query(UTC, (err) => {
      if (err) conn.destroy();
    });
  });
  return pool;
}

export interface Statement {
  sql: string;
  values?: unknown[];
}

export interface Databases<Main, Pricing> {
  main: Kysely<Main>;
  pricing: Kysely<Pricing>;
  /**
   * Runs the statements as one transaction (READ COMMITTED) in a single round trip, and answers
   * each statement's result. For a hot path whose statements do not depend on each other's
   * answers (ids chosen by the caller, values computed in SQL): every round trip costs a
   * system call on each side, and a transaction of ten statements took ten of them. Any error
   * rolls the whole transaction back before it is thrown (a deadlock victim may be run again).
   */
  script(statements: readonly Statement[]): Promise<unknown[]>;
  /** Runs independent reads in one round trip (no transaction); answers each one's rows. */
  reads(statements: readonly Statement[]): Promise<unknown[][]>;
  /** Checks that MySQL answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One pool serves both databases: the pricing schema sits on the same server (as in the seed),
 * and every pricing query names its schema, so the two never compete for two pools of 40.
 * `pricing` is the same Kysely instance (same driver, same connections, transactions included)
 * seen through `withSchema`; only its table types differ, hence the cast.
 */
export function createDatabases<Main, Pricing>(settings: MysqlSettings): Databases<Main, Pricing> {
  const pool: Pool = createMysqlPool(poolOptions(settings, settings.database));
  const main = new Kysely<Main>({
    dialect: new MysqlDialect({
      pool: withAcquireTimeout(pool, settings.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS),
    }),
  });
  const pricing = (main as unknown as Kysely<Pricing>).withSchema(settings.pricingDatabase);
  // Scripts run on a pool of their own, the only one that accepts several statements in one
  // query (values still travel as placeholders, escaped by the driver).
  let scriptPool: Pool | undefined;
  const acquire = (): Promise<MysqlPoolConnection> => {
    scriptPool ??= createMysqlPool({
      ...poolOptions(settings, settings.database),
      connectionLimit: Math.max(2, Math.ceil(settings.poolSize / 2)),
      multipleStatements: true,
    });
    const limited = withAcquireTimeout(scriptPool, settings.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS);
    return new Promise((resolve, reject) =>
      limited.getConnection((err: unknown, conn) =>
        err
          ? reject(err instanceof Error ? err : new Error('could not get a MySQL connection'))
          : resolve(conn),
      ),
    );
  };
  return {
    main,
    pricing,
    async script(statements) {
      const conn = (await acquire()) as unknown as PoolConnection;
      const text = [
        'SET TRANSACTION ISOLATION LEVEL READ COMMITTED',
        'START TRANSACTION',
        ...statements.map((st) => st.sql),
        'COMMIT',
      ].join(';\n');
      try {
        const [results] = await conn.promise().query(
          text,
          statements.flatMap((st) => st.values ?? []),
        );
        return (results as unknown[]).slice(2, 2 + statements.length);
      } catch (err) {
        await conn
          .promise()
          .query('ROLLBACK')
          .catch(() => conn.destroy());
        throw err;
      } finally {
        conn.release();
      }
    },
    async reads(statements) {
      const conn = (await acquire()) as unknown as PoolConnection;
      try {
        const text = statements.map((st) => st.sql).join(';\n');
        const [results] = await conn.promise().query(
          text,
          statements.flatMap((st) => st.values ?? []),
        );
        // One statement answers its rows; several answer a list of row lists.
        return (statements.length === 1 ? [results] : results) as unknown[][];
      } finally {
        conn.release();
      }
    },
    async ping() {
      await pool.promise().query('SELECT 1');
    },
    async close() {
      await main.destroy();
      if (scriptPool) await scriptPool.promise().end();
    },
  };
}
