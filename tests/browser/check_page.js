#!/usr/bin/env node
// check_page.js — opens a local HTML file in headless Chromium and checks it as a reader would
// see it: every <img> loaded (complete, with a natural width), no console error, no uncaught
// exception, no failed resource load; saves a PNG screenshot.
//
// usage: node check_page.js CHROMIUM PAGE.html SCREENSHOT.png [HEIGHT_PX]
// Prints one line per finding and a last line "page ok: N images" or "page FAILED: ...";
// exits 0 when the page is clean, 1 when it is not, 2 when the browser could not be driven.
//
// It speaks the Chrome DevTools Protocol over --remote-debugging-pipe (fd 3: commands in,
// fd 4: replies out, each JSON message ended by a NUL byte), so it needs nothing but Node.js and
// the browser: no npm package, no network port.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chromium, page, shot, heightArg] = process.argv.slice(2);
const height = Number(heightArg) > 0 ? Math.min(Number(heightArg), 12000) : 1600;
if (!chromium || !page || !shot) {
	console.error('usage: node check_page.js CHROMIUM PAGE.html SCREENSHOT.png');
	process.exit(2);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'maasim-chromium-'));
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-extensions', '--hide-scrollbars', '--mute-audio',
	`--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'];
const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => { stderr += d; });

const out = child.stdio[3], inp = child.stdio[4];
let nextId = 1, buf = Buffer.alloc(0);
const waiting = new Map(), listeners = [];
const problems = [];

function send(method, params = {}, sessionId) {
	const id = nextId++;
	const msg = { id, method, params };
	if (sessionId) msg.sessionId = sessionId;
	out.write(JSON.stringify(msg) + '\0');
	return new Promise((resolve, reject) => waiting.set(id, { resolve, reject, method }));
}
inp.on('data', (chunk) => {
	buf = Buffer.concat([buf, chunk]);
	let z;
	while ((z = buf.indexOf(0)) >= 0) {
		const msg = JSON.parse(buf.subarray(0, z).toString('utf8'));
		buf = buf.subarray(z + 1);
		if (msg.id && waiting.has(msg.id)) {
			const w = waiting.get(msg.id);
			waiting.delete(msg.id);
			if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
			else w.resolve(msg.result);
		} else if (msg.method) {
			for (const l of listeners) l(msg);
		}
	}
});
function once(method) {
	return new Promise((resolve) => {
		const l = (m) => {
			if (m.method === method) {
				listeners.splice(listeners.indexOf(l), 1);
				resolve(m.params);
			}
		};
		listeners.push(l);
	});
}
listeners.push((m) => {
	const p = m.params || {};
	if (m.method === 'Runtime.exceptionThrown')
		problems.push(`uncaught exception: ${p.exceptionDetails.exception ? p.exceptionDetails.exception.description : p.exceptionDetails.text}`);
	else if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
		problems.push(`console.${p.type}: ${p.args.map((a) => a.value !== undefined ? a.value : a.description).join(' ')}`);
	else if (m.method === 'Log.entryAdded' && p.entry.level === 'error')
		problems.push(`console error (${p.entry.source}): ${p.entry.text}${p.entry.url ? ' ' + p.entry.url.slice(0, 80) : ''}`);
	else if (m.method === 'Network.loadingFailed')
		problems.push(`failed load: ${p.errorText}${p.blockedReason ? ' (' + p.blockedReason + ')' : ''}`);
});

// Closes the browser (politely, then by force), removes its profile, exits with code. The
// profile is removed only after the browser has exited: its helpers write there until then.
let finished = false;
function finish(code, line) {
	if (finished) return;
	finished = true;
	console.log(line);
	clearTimeout(timer);
	const done = () => {
		try {
			fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
		} catch (e) { /* a leftover temporary profile is not a test failure */ }
		process.exit(code);
	};
	if (child.exitCode !== null || child.signalCode !== null) return done();
	child.once('exit', done);
	try { out.write(JSON.stringify({ id: nextId++, method: 'Browser.close', params: {} }) + '\0'); } catch (e) { /* pipe gone */ }
	setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) { /* gone */ } }, 5000).unref();
}
const timer = setTimeout(() => finish(2, 'page FAILED: browser did not answer within 60 s\n' + stderr.slice(-2000)), 60000);
child.on('exit', (code) => {
	if (!finished) finish(2, `page FAILED: browser exited (${code}) before answering\n` + stderr.slice(-2000));
});
out.on('error', () => { /* the browser closed its end; the exit handler reports it */ });

(async () => {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	const s = (method, params) => send(method, params, sessionId);
	await s('Runtime.enable');
	await s('Log.enable');
	await s('Network.enable');
	await s('Page.enable');
	await s('Emulation.setDeviceMetricsOverride', { width: 1100, height, deviceScaleFactor: 1, mobile: false });
	const loaded = once('Page.loadEventFired');
	const nav = await s('Page.navigate', { url: 'file://' + path.resolve(page) });
	if (nav.errorText) problems.push(`navigation failed: ${nav.errorText}`);
	await loaded;
	// let late console messages and image decodes arrive
	await new Promise((r) => setTimeout(r, 500));
	const r = await s('Runtime.evaluate', {
		returnByValue: true, awaitPromise: true,
		expression: `Promise.all(Array.from(document.images).map((i) => i.decode().then(() => true, () => false)))
			.then((dec) => ({ title: document.title,
				h2: Array.from(document.querySelectorAll('h2')).map((h) => h.textContent),
				imgs: Array.from(document.images).map((i, k) => ({ src: i.getAttribute('src').slice(0, 40),
					ok: i.complete && i.naturalWidth > 0 && dec[k], w: i.naturalWidth, h: i.naturalHeight })) }))`,
	});
	const info = r.result.value;
	const bad = info.imgs.filter((i) => !i.ok);
	for (const i of bad) problems.push(`image did not load: ${i.src}`);
	console.log(`title: ${info.title}`);
	console.log(`sections: ${info.h2.join(' | ')}`);
	console.log(`images: ${info.imgs.length} (${info.imgs.length - bad.length} loaded)`);
	const shotRes = await s('Page.captureScreenshot', { format: 'png' });
	fs.writeFileSync(shot, Buffer.from(shotRes.data, 'base64'));
	console.log(`screenshot: ${shot}`);
	for (const p of problems) console.log(`problem: ${p}`);
	if (problems.length) finish(1, `page FAILED: ${problems.length} problem(s)`);
	finish(0, `page ok: ${info.imgs.length} images`);
})().catch((e) => finish(2, `page FAILED: ${e.message}\n` + stderr.slice(-2000)));
