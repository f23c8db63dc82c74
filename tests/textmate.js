// textmate.js GRAMMAR OUT FILE... - tokenises each file with vscode-textmate
// and vscode-oniguruma (as VS Code does). Exits 1 if a file fails. For the
// files given after "--golden", writes to OUT every token with its scopes.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const [grammarPath, outPath, ...rest] = process.argv.slice(2);
const g = rest.indexOf('--golden');
const files = g >= 0 ? rest.slice(0, g) : rest;
const golden = g >= 0 ? rest.slice(g + 1) : [];
const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));

(async () => {
	await oniguruma.loadWASM(wasm.buffer);
	const registry = new vsctm.Registry({
		onigLib: Promise.resolve({
			createOnigScanner: (p) => new oniguruma.OnigScanner(p),
			createOnigString: (s) => new oniguruma.OnigString(s),
		}),
		loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
	});
	const grammar = await registry.loadGrammar('source.kubefile');
	let failed = 0, lines = 0;
	const tokenise = (file, out) => {
		const text = fs.readFileSync(file, 'utf8');
		let stack = vsctm.INITIAL;
		for (const line of text.split(/\r?\n/)) {
			const r = grammar.tokenizeLine(line, stack, 1000);
			if (r.stoppedEarly)
				throw new Error('stopped early on a line of ' + line.length + ' characters');
			lines++;
			if (out)
				for (const t of r.tokens) {
					const s = line.substring(t.startIndex, t.endIndex);
					if (s.trim())
						out.push(JSON.stringify(s) + ' ' + t.scopes.slice(1).join(' '));
				}
			stack = r.ruleStack;
		}
	};
	for (const f of files) {
		try { tokenise(f, null); } catch (e) { failed++; console.log('not ok - ' + f + ': ' + e.message); }
	}
	const out = [];
	for (const f of golden) {
		out.push('# ' + path.basename(f));
		tokenise(f, out);
	}
	fs.writeFileSync(outPath, out.join('\n') + '\n');
	console.log(files.length + ' files, ' + lines + ' lines, ' + failed + ' failed');
	process.exit(failed ? 1 : 0);
})().catch((e) => { console.log('error: ' + e.stack); process.exit(2); });
