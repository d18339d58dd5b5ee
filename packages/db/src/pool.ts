import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool, type PoolOptions } from 'mysql2';

export interface MysqlSettings {
  url: URL;
  database: string;
  pricingDatabase: string;
  poolSize: number;
}

/**
 * Pool options shared by every connection the platform opens. BIGINT columns come back as
 * decimal strings (supportBigNumbers + bigNumberStrings), so a 64-bit id or an amount never
 * passes through a double; DECIMAL too. Times are UTC.
 */
export function poolOptions(
  settings: Pick<MysqlSettings, 'url' | 'poolSize'>,
  database?: string,
): PoolOptions {
  const u = settings.url;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(database ? { database } : {}),
    connectionLimit: settings.poolSize,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    dateStrings: false,
    charset: 'utf8mb4_unicode_ci',
    // A query waits at most this long for a free connection instead of queueing forever.
    connectTimeout: 10_000,
    enableKeepAlive: true,
  };
}

export interface Databases<Main, Pricing> {
  main: Kysely<Main>;
  pricing: Kysely<Pricing>;
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
  const pool: Pool = createPool(poolOptions(settings, settings.database));
  const main = new Kysely<Main>({ dialect: new MysqlDialect({ pool }) });
  const pricing = (main as unknown as Kysely<Pricing>).withSchema(settings.pricingDatabase);
  return {
    main,
    pricing,
    async ping() {
      await pool.promise().query('SELECT 1');
    },
    async close() {
      await main.destroy();
    },
  };
}
