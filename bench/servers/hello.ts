// The peer for the HTTP benchmark: a Fastify hello-world on 127.0.0.1.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.post("/", async () => ({ hello: "world" }));
app.get("/", async () => ({ hello: "world" }));
const address = await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 0) });
console.log(`listening ${address}`);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
