" Run by tests/vim.sh in `vim -N -u NONE -i NONE -es`, with 'runtimepath'
" set on the command line to editors/vim (and, for the ALE part, Debian's
" ALE) before $VIMRUNTIME. $KF_VIM_PART says what to do:
"   syntax  filetype detection of the files $KF_VIM_NAMES in $KF_VIM_DIR, the
"           syntax groups of $KF_VIM_DIR/x.kubefile, and what plugin/kfls.vim
"           registers with vim-lsp (vim.sh puts a stand-in autoload/lsp.vim,
"           whose lsp#register_server records its argument in
"           g:kf_lsp_servers, on 'runtimepath': Debian has no vim-lsp)
"   ale     ALE runs kfls ($KF_VIM_KFLS) on $KF_VIM_FILE: ALE's linters for
"           kubefile, then the diagnostics in ALE's loclist; g:ale_linters
"           and g:kfls_settings are the Vim expressions $KF_VIM_LINTERS and
"           $KF_VIM_SETTINGS when those are set
"   fix     ALE's fixer 'kfc_fmt' (plugin/kfls.vim, autoload/kubefile/ale.vim)
"           formats $KF_VIM_FILE with kfc ($KF_VIM_KFC) on :ALEFix: the
"           fixers ALE offers for kubefile, then the buffer's lines
" Everything goes to $KF_VIM_OUT; an error in this script ends Vim with
" `cq 3` after writing it there.
let s:out = []

function! s:Syntax() abort
  " Filetype detection.
  for l:name in split($KF_VIM_NAMES)
    execute 'edit ' . fnameescape($KF_VIM_DIR . '/' . l:name)
    call add(s:out, printf('%s %s', l:name, empty(&filetype) ? '-' : &filetype))
    bwipeout!
  endfor
  " Syntax groups: each run of characters with one syntax item, with the
  " group it links to and the highlight group it ends at (synIDtrans).
  execute 'edit ' . fnameescape($KF_VIM_DIR . '/x.kubefile')
  call add(s:out, '-- syntax ' . get(b:, 'current_syntax', '-'))
  for l:l in range(1, line('$'))
    let l:text = getline(l:l)
    let l:c = 1
    while l:c <= len(l:text)
      let l:id = synID(l:l, l:c, 1)
      let l:e = l:c
      while l:e < len(l:text) && synID(l:l, l:e + 1, 1) == l:id
        let l:e += 1
      endwhile
      if l:id
        let l:name = synIDattr(l:id, 'name')
        let l:link = matchstr(execute('highlight ' . l:name), 'links to \zs\S\+')
        call add(s:out, printf('%d:%d %s %s %s %s', l:l, l:c, l:text[l:c - 1 : l:e - 1],
              \ l:name, l:link, synIDattr(synIDtrans(l:id), 'name')))
      endif
      let l:c = l:e + 1
    endwhile
  endfor
  " plugin/kfls.vim registers kfls when vim-lsp fires `User lsp_setup`.
  call add(s:out, '-- vim-lsp')
  let g:kfls_command = $KF_VIM_KFLS
  let g:kfls_settings = {'dialect': 'sealer'}
  doautocmd <nomodeline> User lsp_setup
  if empty(get(g:, 'kf_lsp_servers', []))
    call add(s:out, 'nothing registered')
  endif
  for l:s in get(g:, 'kf_lsp_servers', [])
    call add(s:out, printf('%s %s %s %s', l:s.name, l:s.cmd({}) ==# [$KF_VIM_KFLS] ? 'cmd=$KFLS' : string(l:s.cmd({})),
          \ string(l:s.allowlist), string(l:s.workspace_config)))
  endfor
endfunction

function! s:Ale() abort
  if !empty($KF_VIM_LINTERS)
    let g:ale_linters = eval($KF_VIM_LINTERS)
    call add(s:out, 'ale_linters ' . string(g:ale_linters))
  endif
  let g:kfls_command = $KF_VIM_KFLS
  if !empty($KF_VIM_SETTINGS)
    let g:kfls_settings = eval($KF_VIM_SETTINGS)
    call add(s:out, 'settings ' . string(g:kfls_settings))
  endif
  execute 'edit ' . fnameescape($KF_VIM_FILE)
  call add(s:out, 'filetype ' . &filetype)
  call add(s:out, 'linters ' . join(map(ale#linter#Get(&filetype), 'v:val.name')))
  let l:buf = bufnr('')
  " ALE lints on entering the buffer; kfls answers with publishDiagnostics.
  let l:tries = 0
  while empty(get(get(g:ale_buffer_info, l:buf, {}), 'loclist', [])) && l:tries < 200
    sleep 50m
    let l:tries += 1
  endwhile
  let l:loclist = get(get(g:ale_buffer_info, l:buf, {}), 'loclist', [])
  if empty(l:loclist)
    call add(s:out, 'no diagnostics after 10 s')
  endif
  for l:d in l:loclist
    call add(s:out, printf('%d:%d %s %s [%s %s]', l:d.lnum, l:d.col, l:d.type, l:d.text,
          \ get(l:d, 'linter_name', '-'), get(l:d, 'code', '-')))
  endfor
endfunction

function! s:Fix() abort
  let g:ale_linters = {'kubefile': []}
  let g:ale_fixers = {'kubefile': ['kfc_fmt']}
  let g:ale_kubefile_kfc_executable = $KF_VIM_KFC
  execute 'edit ' . fnameescape($KF_VIM_FILE)
  call add(s:out, 'fixers ' . join(filter(ale#fix#registry#GetApplicableFixers('kubefile'), 'v:val =~# "^kfc"')))
  let l:before = getline(1, '$')
  ALEFix
  let l:tries = 0
  while getline(1, '$') ==# l:before && l:tries < 200
    sleep 50m
    let l:tries += 1
  endwhile
  call add(s:out, '-- fixed' . (&modified ? ' (modified)' : ''))
  call extend(s:out, getline(1, '$'))
endfunction

try
  filetype on
  syntax on
  runtime! plugin/*.vim
  if $KF_VIM_PART ==# 'syntax'
    call s:Syntax()
  elseif $KF_VIM_PART ==# 'ale'
    call s:Ale()
  elseif $KF_VIM_PART ==# 'fix'
    call s:Fix()
  else
    throw 'KF_VIM_PART is ' . $KF_VIM_PART
  endif
  call writefile(s:out, $KF_VIM_OUT)
  qall!
catch
  call add(s:out, 'error: ' . v:exception . ' at ' . v:throwpoint)
  call writefile(s:out, $KF_VIM_OUT)
  cquit 3
endtry
