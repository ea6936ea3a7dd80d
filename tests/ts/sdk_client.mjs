// Runway's TypeScript SDK against a real Reelay: upload a local file, make a video from its
// runway:// URI and wait for it, then delete a task and read it back. Prints one JSON line of
// what it saw; tests/test_e2e_ts_sdk.py checks it. Usage: node sdk_client.mjs <image path>
// with REELAY_URL, REELAY_API_KEY and REELAY_TS_MODULES (the folder holding node_modules/) set.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

// The SDK is installed in a cache folder, not beside this script.
const require = createRequire(path.join(process.env.REELAY_TS_MODULES, 'package.json'));
const { default: RunwayML, NotFoundError } = require('@runwayml/sdk');

const client = new RunwayML({ apiKey: process.env.REELAY_API_KEY, baseURL: process.env.REELAY_URL, maxRetries: 0 });

const uploaded = await client.uploads.createEphemeral({ file: fs.createReadStream(process.argv[2]) });

const task = await client.imageToVideo
  .create({ model: 'gen4_turbo', promptImage: uploaded.uri, ratio: '1280:720', duration: 2, promptText: 'a slow pan' })
  .waitForTaskOutput({ timeout: 120_000 });

const held = await client.imageToVideo.create({
  model: 'gen4_turbo',
  promptImage: uploaded.uri,
  ratio: '960:960',
  duration: 2,
  promptText: '[sandbox:delay=60] hold',
});
await client.tasks.delete(held.id);
let afterDelete = 'found';
try {
  await client.tasks.retrieve(held.id);
} catch (error) {
  afterDelete = error instanceof NotFoundError ? 'NotFoundError' : `${error.constructor.name}: ${error.message}`;
}

console.log(JSON.stringify({ uri: uploaded.uri, status: task.status, output: task.output, afterDelete }));
