// The VS Code client: starts kfls for Kubefiles and passes the kubefile.*
// settings (the same keys as .kflint.yaml) to it.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
	const cfg = vscode.workspace.getConfiguration('kubefile');
	const command = cfg.get('server.path') || 'kfls';
	const serverOptions = { run: { command }, debug: { command } };
	const clientOptions = {
		documentSelector: [{ language: 'kubefile' }],
		synchronize: {
			configurationSection: 'kubefile',
			fileEvents: vscode.workspace.createFileSystemWatcher('**/.kflint.{yaml,yml}'),
		},
		initializationOptions: { kubefile: cfg },
	};
	client = new LanguageClient('kubefile', 'Kubefile (kfls)', serverOptions, clientOptions);
	client.start();
	context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
	return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
