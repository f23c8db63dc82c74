" Registers kfls with vim-lsp, and kfc fmt as ALE's fixer 'kfc_fmt'
" (autoload/kubefile/ale.vim). ALE finds kfls by itself, in
" ale_linters/kubefile/kfls.vim: ALE loads that file, from 'runtimepath', the
" first time it checks a kubefile buffer (a call to ale#linter#Define here
" would run before ALE's autoload functions exist, and be skipped).
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

" ALE's fixer registry is ALE's autoload code: registered only when ALE is
" on 'runtimepath' (a package loaded later with :packadd can use the
" function itself: let g:ale_fixers = {'kubefile': ['kubefile#ale#Fix']})
if !empty(globpath(&runtimepath, 'autoload/ale/fix/registry.vim'))
  call ale#fix#registry#Add('kfc_fmt', 'kubefile#ale#Fix', ['kubefile'], 'Format Kubefiles with kfc fmt')
endif
