// Run a CloudFront Function the way CloudFront does: the source is evaluated as a
// script in a fresh context (no require, no process, no module system) that defines
// a top-level `function handler(event)`, and handler(event) is called per event.
// Usage: node harness.js FUNCTION.js EVENT.json [EVENT.json ...]
// Prints {"<event file>": {"result": ..., "logs": [...]}} or {"error": ...} per event.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

function runAll(functionFile, eventFiles) {
    const source = fs.readFileSync(functionFile, 'utf8');
    const results = {};
    for (const eventFile of eventFiles) {
        const logs = [];
        // Only what the cloudfront-js-2.0 runtime offers a viewer function is provided.
        const context = vm.createContext({
            console: { log: (...args) => logs.push(args.join(' ')) },
        });
        vm.runInContext(source, context, { filename: path.basename(functionFile) });
        if (typeof context.handler !== 'function') {
            throw new Error(functionFile + ' does not define a top-level handler(event)');
        }
        const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
        const name = path.basename(eventFile);
        try {
            // JSON round trip: CloudFront reads back plain data, not live objects.
            results[name] = { result: JSON.parse(JSON.stringify(context.handler(event))), logs };
        } catch (err) {
            results[name] = { error: String(err), logs };
        }
    }
    return results;
}

const args = process.argv.slice(2);
if (args.length < 2) {
    process.stderr.write('usage: node harness.js FUNCTION.js EVENT.json [EVENT.json ...]\n');
    process.exit(2);
}
process.stdout.write(JSON.stringify(runAll(args[0], args.slice(1))) + '\n');
