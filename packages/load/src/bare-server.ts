/**
 * A bare node:http server that answers the vote API the cheapest way possible (202 with a
 * receipt, a Set-Cookie for new voters, a fixed poll list): the yardstick for the load
 * generator's own ceiling (`bernstein load --ceiling`). Run as its own process so it does not
 * share an event loop with the generator; it prints its port on stdout.
 */
import { createServer } from 'node:http';

const POLLS = JSON.stringify({ polls: [{ id: 'default', question: 'bare', options: ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id })) }] });
let seq = 0;
let lastMs = 0;
let voter = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/polls') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(POLLS);
    return;
  }
  // Drain the body, answer like poll does.
  req.resume();
  req.on('end', () => {
    const now = Date.now();
    seq = now === lastMs ? seq + 1 : 0;
    lastMs = now;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!req.headers.cookie) headers['set-cookie'] = `bernstein_voter=bare${(voter++).toString(36).padStart(16, '0')}; Path=/; HttpOnly`;
    res.writeHead(202, headers).end(`{"poll":"default","option":"a","receipt":"${now}-${seq}"}`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
