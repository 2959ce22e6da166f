// Native DuckDB sessions for the node tools. One opener, so every session agrees on UTC: the lake
// writer turns TIMESTAMPTZ into dates, and the views compare them, in UTC as the browser does.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckSession {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  close(): void;
}

/** `config` takes DuckDB settings (threads, memory_limit, temp_directory, ...). */
export async function openDuck(path = ':memory:', config: Record<string, string> = {}): Promise<DuckSession> {
  const instance = await DuckDBInstance.create(path, config);
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw err;
  }
  return {
    instance,
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
