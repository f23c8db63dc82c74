" ALE's fixer for Kubefiles: kfc fmt reads the buffer on standard input and
" prints it formatted. plugin/kfls.vim registers it as 'kfc_fmt'; turn it on
" with  let g:ale_fixers = {'kubefile': ['kfc_fmt']}  and :ALEFix (or
" g:ale_fix_on_save). --stdin-filename gives kfc fmt the buffer's file, so
" its settings (.kflint.yaml's fmt:, .editorconfig) are the file's.
" g:ale_kubefile_kfc_executable (or b:) names the program: kfc by default.
call ale#Set('kubefile_kfc_executable', 'kfc')

function! kubefile#ale#Fix(buffer) abort
  return {
  \   'command': ale#Escape(ale#Var(a:buffer, 'kubefile_kfc_executable')) . ' fmt --stdin-filename=%s -',
  \}
endfunction
