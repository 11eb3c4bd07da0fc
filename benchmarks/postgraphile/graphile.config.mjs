// PostGraphile 5 over the views of views.sql, as benchmarks/vs_postgraphile.py serves it:
// production settings (no GraphiQL, no explain, no watch), one pool of connections.
// HUB_PGL_URL (a libpq connection string), HUB_PGL_SCHEMA (the views' schema) and
// HUB_PGL_PORT come from the benchmark script.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: env("HUB_PGL_URL"),
      schemas: [env("HUB_PGL_SCHEMA")],
      // Connections stay open (no idle timeout), as a server under steady load keeps them.
      poolConfig: { max: Number(process.env.HUB_PGL_POOL ?? "10"), idleTimeoutMillis: 0 },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(env("HUB_PGL_PORT")),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
