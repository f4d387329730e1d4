/**
 * What the cluster test needs from the machine: the project's cluster (npm run cluster), its
 * tools on PATH, and small wrappers around kubectl and skaffold that keep every log.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';

export const CONTEXT = 'kind-eventmart';
export const ARTIFACTS = join(REPO_ROOT, 'artifacts', 'cluster');

/** The environment `eval "$(npm run -s cluster -- env)"` gives a user's shell. */
export function clusterEnv(): NodeJS.ProcessEnv {
  // Captured first: `eval "$(...)"` would succeed even when `env` failed, and PATH lack the tools.
  const out = execFileSync('bash', ['-c', 'lines=$(bash scripts/cluster/cluster.sh env) && eval "$lines" && env -0'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  const env: NodeJS.ProcessEnv = {};
  for (const entry of out.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/** Runs a command to its end with its output appended to `log`; throws with the log's tail when it fails. */
export function run(env: NodeJS.ProcessEnv, log: string, command: string, args: string[], timeoutMs: number): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = createWriteStream(join(ARTIFACTS, log), { flags: 'a' });
  file.write(`$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      file.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    // A command that cannot start (not on PATH) must fail the step, not leave it waiting forever.
    child.on('error', (err) => {
      clearTimeout(timer);
      file.end();
      reject(new Error(`${command} ${args.join(' ')} could not start: ${err.message} (PATH=${env.PATH})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      file.end();
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} ended with ${signal ?? code} (log: artifacts/cluster/${log}):\n${tail}`));
    });
  });
}

/** A long-running command (skaffold dev) whose output is kept and can be awaited for a line. */
export function start(env: NodeJS.ProcessEnv, log: string, command: string, args: string[]): { child: ChildProcess; output: () => string } {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = createWriteStream(join(ARTIFACTS, log), { flags: 'a' });
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer) => {
    file.write(chunk);
    text += chunk.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('close', () => file.end());
  return { child, output: () => text };
}

export function kubectl(env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync('kubectl', ['--context', CONTEXT, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
}

export function kubectlJson<T = any>(env: NodeJS.ProcessEnv, ...args: string[]): T {
  return JSON.parse(kubectl(env, ...args, '-o', 'json')) as T;
}

/**
 * An HTTP call made from inside a pod of `service`, to its own port on the pod's loopback: the
 * operator routes (dead letters) answer only there, and inventory is not published on the host.
 */
export function inPod(env: NodeJS.ProcessEnv, service: string, port: number, method: string, path: string, body?: unknown): { status: number; body: any } {
  const script =
    // The pod's own admin token goes along (its /deadletters want it; the rest ignores it).
    "fetch(process.argv[1], { method: process.argv[2], headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.ADMIN_TOKEN }, body: process.argv[3] || undefined })" +
    '.then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, text: await r.text() })))' +
    '.catch((e) => { console.error(e); process.exit(1); })';
  const out = kubectl(
    env,
    'exec',
    `deploy/${service}`,
    '-c',
    service,
    '--',
    'node',
    '-e',
    script,
    `http://127.0.0.1:${port}${path}`,
    method,
    body === undefined ? '' : JSON.stringify(body),
  );
  const { status, text } = JSON.parse(out) as { status: number; text: string };
  return { status, body: text ? JSON.parse(text) : undefined };
}

/** Tries a TCP connection to each `host:port` (3 s each) and prints what came of it: open, timeout, or the error's code. */
const TCP_PROBE =
  'Promise.all(process.argv.slice(1).map((target) => new Promise((done) => {' +
  "  const [host, port] = target.split(':');" +
  "  const socket = require('net').connect(Number(port), host);" +
  '  const end = (result) => { socket.destroy(); done([target, result]); };' +
  "  socket.setTimeout(3000, () => end('timeout'));" +
  "  socket.on('connect', () => end('open'));" +
  "  socket.on('error', (err) => end(err.code));" +
  '}))).then((results) => process.stdout.write(JSON.stringify(Object.fromEntries(results))));';

/** What a TCP connection to each `host:port` comes to from inside a pod of `service` (its app container). */
export function tcpFromService(env: NodeJS.ProcessEnv, service: string, targets: string[]): Record<string, string> {
  return JSON.parse(kubectl(env, 'exec', `deploy/${service}`, '-c', service, '--', 'node', '-e', TCP_PROBE, ...targets));
}

/**
 * The same from a new pod in the default namespace that carries none of Eventmart's labels (the
 * image of `service`, for its node), removed after. The pod runs the probe to its end and its log is
 * read then: `kubectl run -i --rm` can attach after a short container has finished and hand back
 * nothing (a CI run lost the output that way).
 */
export function tcpFromStranger(env: NodeJS.ProcessEnv, service: string, targets: string[]): Record<string, string> {
  const deployment = kubectlJson(env, 'get', 'deployment', service, '-n', 'default');
  const image = deployment.spec.template.spec.containers.find((c: { name: string }) => c.name === service).image;
  const name = `stranger-${Date.now()}`;
  const pod = `pod/${name}`;
  kubectl(
    env,
    'run',
    name,
    '-n',
    'default',
    `--image=${image}`,
    '--image-pull-policy=IfNotPresent',
    '--restart=Never',
    '--labels=eventmart-test=stranger',
    '--command',
    '--',
    'node',
    '-e',
    TCP_PROBE,
    ...targets,
  );
  try {
    kubectl(env, 'wait', pod, '-n', 'default', '--for=jsonpath={.status.phase}=Succeeded', '--timeout=90s');
    return JSON.parse(kubectl(env, 'logs', pod, '-n', 'default').trim());
  } finally {
    kubectl(env, 'delete', pod, '-n', 'default', '--wait=false', '--ignore-not-found');
  }
}

/** Everything a person debugging a failed run would look at, saved under artifacts/cluster/<label>/. */
export function saveState(env: NodeJS.ProcessEnv, label: string): void {
  const dir = join(ARTIFACTS, label);
  mkdirSync(dir, { recursive: true });
  const save = (name: string, ...args: string[]) => {
    try {
      writeFileSync(join(dir, name), kubectl(env, ...args));
    } catch (err) {
      writeFileSync(join(dir, name), String(err));
    }
  };
  save('pods.txt', 'get', 'pods', '-A', '-o', 'wide');
  save('all.txt', 'get', 'all,pvc,components.dapr.io', '-A');
  save('events.txt', 'get', 'events', '-A', '--sort-by=.lastTimestamp');
  save('describe-pods.txt', 'describe', 'pods', '-n', 'default');
  for (const pod of kubectl(env, 'get', 'pods', '-n', 'default', '-o', 'name').split('\n').filter(Boolean)) {
    save(`logs-${pod.replace('pod/', '')}.txt`, 'logs', pod, '--all-containers', '--prefix', '--tail=2000');
  }
}
