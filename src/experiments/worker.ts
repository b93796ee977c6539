// Worker-thread side of mapPool: imports the job module and runs the named export per message.
import { parentPort } from 'node:worker_threads';

const modules = new Map<string, Record<string, (input: unknown) => unknown>>();

parentPort?.on('message', async (msg: { module: string; fn: string; index: number; input: unknown }) => {
  try {
    let mod = modules.get(msg.module);
    if (!mod) {
      mod = (await import(msg.module)) as Record<string, (input: unknown) => unknown>;
      modules.set(msg.module, mod);
    }
    const output = await mod[msg.fn](msg.input);
    parentPort!.postMessage({ index: msg.index, output });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
