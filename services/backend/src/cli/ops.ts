// Operators' commands until the admin API exists (api.md "Balance"):
//   npm run ops -- balance:adjust --steam-id 7656119... --amount 500 --reason "goodwill, ticket 123"
// The amount is in cents and may be negative (a debit beyond the balance is refused). Every
// adjustment is a ledger row (reason `adjustment`) whose note names the operator and the reason.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError } from '@platform/config';
import { isAppError, minorToJson, toMinor } from '@platform/core';
import { createServiceContext } from '@platform/http';
import { BalanceRepository } from '../balance/balance.repository.ts';
import { BalanceService } from '../balance/balance.service.ts';
import { loadConfig } from '../config.ts';

const USAGE =
  'usage: npm run ops -- balance:adjust --steam-id ID --amount CENTS --reason TEXT [--operator NAME]';

async function main(argv: string[]): Promise<number> {
  // `--amount -500` (api.md's form) reads as an option to parseArgs; join it with its flag.
  const args = argv.flatMap((a, i) =>
    a === '--amount' && /^-\d+$/.test(argv[i + 1] ?? '')
      ? []
      : i > 0 && argv[i - 1] === '--amount' && /^-\d+$/.test(a)
        ? [`--amount=${a}`]
        : [a],
  );
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'steam-id': { type: 'string' },
      amount: { type: 'string' },
      reason: { type: 'string' },
      operator: { type: 'string' },
    },
  });
  if (positionals[0] !== 'balance:adjust') {
    console.error(USAGE);
    return 2;
  }
  const steamId = values['steam-id'] ?? '';
  const reason = (values.reason ?? '').trim();
  if (!/^\d{17}$/.test(steamId) || !/^-?\d{1,15}$/.test(values.amount ?? '') || reason.length < 3) {
    console.error(`${USAGE}\n(--steam-id is a SteamID64, --amount whole cents, --reason a few words)`);
    return 2;
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const runtime = await createServiceContext('ops', config);
  const { ctx } = runtime;
  try {
    const service = new BalanceService({
      db: ctx.dbs.main,
      balances: new BalanceRepository(),
      onCommit: () => {},
    });
    const operator = values.operator ?? userInfo().username;
    const { userId, balance } = await service.adjust(
      steamId,
      toMinor(values.amount ?? '0'),
      reason,
      operator,
    );
    // Its balance.updated event waits in the outbox for the backend's relay.
    console.log(
      `user ${userId} (${steamId}): balance now ${minorToJson(balance)} cents; adjustment recorded in the ledger`,
    );
    return 0;
  } catch (err) {
    if (isAppError(err)) {
      console.error(`refused: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await runtime.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
