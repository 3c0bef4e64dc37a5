#!/usr/bin/env node
// Memory of the simulator at 1, 100 and 1,000 devices. Each size runs in a
// fresh Node process (so earlier runs do not inflate later ones), starts a
// generated fabric and reports memory idle (after start), then again after
// every device answered one Capabilities call (the in-process clients are
// closed by then, but their garbage counts against RSS). Run after
// `npm run build`: node bench/memory.js [sizes...]
'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');

const MB = 1024 * 1024;

async function measure(devices) {
  const grpc = require('@grpc/grpc-js');
  const { gnmiServiceConstructor } = require('@synapse/gnmi-client');
  const { generateFabric, startDeviceSim } = require(path.join(__dirname, '..', 'dist', 'index.js'));
  global.gc();
  const baseline = process.memoryUsage();
  const spines = devices >= 4 ? 2 : 1;
  const topology = generateFabric({ spines, leaves: Math.max(1, devices - spines) });
  topology.devices = topology.devices.slice(0, devices);
  const names = new Set(topology.devices.map((d) => d.name));
  topology.links = topology.links.filter((l) => names.has(l.a.device) && names.has(l.b.device));
  const started = Date.now();
  const sim = await startDeviceSim({ topology, convergenceDelayMs: 100 });
  const startMs = Date.now() - started;
  global.gc();
  const idle = process.memoryUsage();

  const Client = gnmiServiceConstructor();
  const metadata = new grpc.Metadata();
  metadata.set('username', 'admin');
  metadata.set('password', 'NokiaSrl1!');
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < sim.devices.length) {
        const client = new Client(sim.devices[next++].address, grpc.credentials.createInsecure());
        await new Promise((resolve, reject) => client.Capabilities({}, metadata, (error) => (error ? reject(error) : resolve())));
        client.close();
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  global.gc();
  const used = process.memoryUsage();
  await sim.stop();
  return {
    devices: sim.devices.length,
    startMs,
    idleRssMB: +(idle.rss / MB).toFixed(1),
    idleHeapMB: +(idle.heapUsed / MB).toFixed(1),
    rssMB: +(used.rss / MB).toFixed(1),
    heapUsedMB: +(used.heapUsed / MB).toFixed(1),
    externalMB: +(used.external / MB).toFixed(1),
    baselineRssMB: +(baseline.rss / MB).toFixed(1),
  };
}

if (process.argv[2] === '--child') {
  measure(Number(process.argv[3])).then(
    (result) => {
      process.send(result);
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  const sizes = process.argv.slice(2).map(Number);
  (async () => {
    const rows = [];
    for (const size of sizes.length ? sizes : [1, 100, 1000]) {
      const child = fork(__filename, ['--child', String(size)], { execArgv: ['--expose-gc'] });
      rows.push(await new Promise((resolve, reject) => {
        child.on('message', resolve);
        child.on('exit', (code) => code !== 0 && reject(new Error(`measuring ${size} devices failed (exit ${code})`)));
      }));
    }
    console.table(rows);
  })().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
