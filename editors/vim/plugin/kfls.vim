" Registers kfls with vim-lsp and ALE, whichever is installed.
if exists('g:loaded_kfls')
  finish
endif
let g:loaded_kfls = 1

" vim-lsp (prabirshrestha/vim-lsp)
augroup kfls_vim_lsp
  autocmd!
  autocmd User lsp_setup call lsp#register_server({
        \ 'name': 'kfls',
        \ 'cmd': {server_info -> [get(g:, 'kfls_command', 'kfls')]},
        \ 'allowlist': ['kubefile'],
        \ 'workspace_config': {'kubefile': get(g:, 'kfls_settings', {})},
        \ })
augroup END

" ALE (dense-analysis/ale)
if exists('*ale#linter#Define')
  call ale#linter#Define('kubefile', {
        \ 'name': 'kfls',
        \ 'lsp': 'stdio',
        \ 'executable': {b -> get(g:, 'kfls_command', 'kfls')},
        \ 'command': '%e',
        \ 'project_root': {b -> fnamemodify(bufname(b), ':p:h')},
        \ 'lsp_config': {b -> {'kubefile': get(g:, 'kfls_settings', {})}},
        \ })
endif
