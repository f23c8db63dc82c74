" ALE linter for Kubefiles: the kfls language server. ALE loads this file
" itself (ale_linters/<filetype>/*.vim on 'runtimepath') the first time it
" checks a kubefile buffer. g:kfls_command changes the program and
" g:kfls_settings holds the kubefile.* settings (docs/kfls.md).
call ale#linter#Define('kubefile', {
\   'name': 'kfls',
\   'lsp': 'stdio',
\   'executable': {b -> get(g:, 'kfls_command', 'kfls')},
\   'command': '%e',
\   'project_root': {b -> fnamemodify(bufname(b), ':p:h')},
\   'lsp_config': {b -> {'kubefile': get(g:, 'kfls_settings', {})}},
\})
