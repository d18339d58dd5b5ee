// The bench's baseline: a bare Socket.IO 4 server (no adapter, no auth, no streams) that sends
// one event to every client when asked (POST /emit?id=…), to compare the socket server with.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname === '/emit') {
    io.emit('bench', { id: url.searchParams.get('id') });
    res.end('ok');
    return;
  }
  if (url.pathname === '/healthz') {
    res.end(JSON.stringify({ rss: process.memoryUsage().rss, clients: io.engine.clientsCount }));
    return;
  }
  res.statusCode = 404;
  res.end();
});
const io = new Server(http, { serveClient: false });
http.listen(Number(process.env.PORT), '127.0.0.1');
