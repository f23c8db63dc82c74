" Vim syntax file for Kubefiles (ClusterImage build files).
if exists('b:current_syntax')
  finish
endif
syntax case ignore
syntax match kubefileInstruction /\v^\s*(FROM|ARG|ENV|LABEL|MAINTAINER|COPY|ADD|RUN|CMD|ENTRYPOINT|SHELL|WORKDIR|USER|EXPOSE|VOLUME|ONBUILD|STOPSIGNAL|HEALTHCHECK|KUBEVERSION|PLUGINS|IMAGES|LAUNCH|CMDS)(\s|$)@=/
syntax match kubefileAppInstruction /\v^\s*(APP|CNI|CSI|APPCMDS|APPENV)(\s|$)@=/ nextgroup=kubefileAppName skipwhite
syntax case match
syntax match kubefileAppName /[^ \t\["\\]\+/ contained
syntax match kubefileComment /^\s*#.*$/
syntax match kubefileFlag /\s\zs--[A-Za-z][A-Za-z0-9-]*/
syntax match kubefileVariable /\$\({[A-Za-z_][A-Za-z0-9_]*\([:]\?[-+][^}]*\)\?}\|[A-Za-z_][A-Za-z0-9_]*\)/
syntax region kubefileString start=/"/ skip=/\\"/ end=/"\|$/ contains=kubefileVariable
syntax region kubefileString start=/'/ end=/'\|$/
syntax match kubefileUrl /\<\(local\|https\?\):\/\/[^ \t",\]]*/
syntax match kubefileContinuation /[\\`]\s*$/
highlight default link kubefileInstruction Keyword
highlight default link kubefileAppInstruction Keyword
highlight default link kubefileAppName Type
highlight default link kubefileComment Comment
highlight default link kubefileFlag Identifier
highlight default link kubefileVariable PreProc
highlight default link kubefileString String
highlight default link kubefileUrl Underlined
highlight default link kubefileContinuation Special
let b:current_syntax = 'kubefile'
