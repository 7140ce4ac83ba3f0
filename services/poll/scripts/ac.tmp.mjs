import autocannon from 'autocannon';
const url = process.argv[2];
const run = (d) => autocannon({ url, method: 'POST', connections: 50, duration: d, headers: { 'content-type': 'application/json', ...(process.argv[3] ? { cookie: process.argv[3] } : {}) }, body: '{"option":"b"}' });
await run(2);
const r = await run(8);
console.log(r.requests.average, 'p99', r.latency.p99, 'non2xx', r.non2xx);
