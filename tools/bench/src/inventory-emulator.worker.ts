// The Steam emulator for the inventory bench, in a worker thread: Steam is another machine in
// production, so its JSON serialization must not share the event loop under measurement.
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { buildEmulatorApp, generateWorld } from '@platform/steam-emulator';

interface Params {
  bots: number;
  items: number;
}
const { bots, items } = workerData as Params;
const world = generateWorld({
  seed: 42,
  bots,
  itemsPerBot: items,
  users: 20,
  userItemsMin: 150,
  userItemsMax: 250,
  epoch: Math.floor(Date.now() / 1000),
});
const app = await buildEmulatorApp({ world });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;
const user = world.users()[0]!.steamid;

parentPort!.on('message', (m: { id: number; op: 'trade' | 'close'; botSteamId?: string }) => {
  if (m.op === 'close') {
    void app.close().then(() => parentPort!.postMessage({ id: m.id }));
    return;
  }
  // A trade: two items leave the bot, one of the user's arrives (with a new asset id).
  const bot = m.botSteamId!;
  const out = world
    .inventory(bot, '2')
    .list()
    .slice(0, 2)
    .map((a) => a.assetid);
  world.moveAssets(bot, user, out);
  world.moveAssets(user, bot, [world.inventory(user, '2').list()[0]!.assetid]);
  parentPort!.postMessage({ id: m.id });
});
parentPort!.postMessage({ ready: true, port, user });
