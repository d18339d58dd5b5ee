// `npm run bench -- NAME`: runs tools/bench/src/NAME.bench.ts, which exports `run()`.
// Every bench prints the machine it ran on and compares against a baseline measured in the
// same run (a ratio), since these machines are noisy.
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ') || 'none yet'})`);
  process.exit(2);
}
console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
const mod = (await import(`./${name}.bench.ts`)) as { run: (args: string[]) => Promise<void> };
await mod.run(process.argv.slice(3));
