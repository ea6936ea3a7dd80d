// Runway's TypeScript SDK against a real Reelay, driven by a JSON plan that
// tests/test_e2e_ts_sdk.py writes and checks. Usage: node sdk_client.mjs <plan.json>, with
// REELAY_URL, REELAY_API_KEY and REELAY_TS_MODULES (the folder holding node_modules/) set.
//
// The plan: {"uploads": {NAME: local file path}, "calls": [{"name", "resource", "params", "then"}]}.
// - Each upload goes through uploads.createEphemeral first; a params string "upload:NAME" becomes
//   that upload's runway:// URI.
// - Each call is client[resource].create(params) (resource as the SDK names it: "imageToVideo",
//   "textToImage", ...). then "wait" (the default) waits with the SDK's .waitForTaskOutput();
//   then "delete" waits until the task runs, deletes it, and reads it back.
// The calls run at once: the SDK polls every 6 s, so one after another would add that per call.
// Prints one JSON line: {"uploads": {NAME: uri}, "results": {name: what the call saw}}.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

// The SDK is installed in a cache folder, not beside this script.
const require = createRequire(path.join(process.env.REELAY_TS_MODULES, 'package.json'));
const { default: RunwayML, TaskFailedError } = require('@runwayml/sdk');

const WAIT_MS = 240_000;
const client = new RunwayML({ apiKey: process.env.REELAY_API_KEY, baseURL: process.env.REELAY_URL, maxRetries: 0 });
const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const uploads = {};
for (const [name, file] of Object.entries(plan.uploads ?? {})) {
  uploads[name] = (await client.uploads.createEphemeral({ file: fs.createReadStream(file) })).uri;
}

function withUploads(value) {
  if (typeof value === 'string' && value.startsWith('upload:')) return uploads[value.slice('upload:'.length)];
  if (Array.isArray(value)) return value.map(withUploads);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withUploads(item)]));
  }
  return value;
}

function described(error) {
  const seen = { error: error.constructor.name, message: error.message };
  if (error.status !== undefined) seen.httpStatus = error.status;
  if (error instanceof TaskFailedError) seen.task = error.taskDetails;
  return seen;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deleteWhileRunning(id) {
  const until = Date.now() + 60_000;
  let status = (await client.tasks.retrieve(id)).status;
  while (status !== 'RUNNING' && Date.now() < until) {
    await sleep(200);
    status = (await client.tasks.retrieve(id)).status;
  }
  await client.tasks.delete(id);
  try {
    const after = await client.tasks.retrieve(id);
    return { id, deletedWhile: status, afterDelete: `found ${after.status}` };
  } catch (error) {
    return { id, deletedWhile: status, afterDelete: described(error).error };
  }
}

async function run(call) {
  const creating = client[call.resource].create(withUploads(call.params));
  if ((call.then ?? 'wait') === 'delete') return deleteWhileRunning((await creating).id);
  const created = await creating;
  const task = await creating.waitForTaskOutput({ timeout: WAIT_MS });
  return { id: task.id, created: created.id, status: task.status, output: task.output };
}

const results = {};
await Promise.all(
  plan.calls.map(async (call) => {
    try {
      results[call.name] = await run(call);
    } catch (error) {
      results[call.name] = described(error);
    }
  }),
);

console.log(JSON.stringify({ uploads, results }));
