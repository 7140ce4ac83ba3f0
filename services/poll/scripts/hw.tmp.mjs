import Fastify from 'fastify';
const app = Fastify();
app.post('/api/polls/default/votes', async (req, reply) => { reply.code(202); return { poll: 'default', option: req.body.option, receipt: '1-0' }; });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
