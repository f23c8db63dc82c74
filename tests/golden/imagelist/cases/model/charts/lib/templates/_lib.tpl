{{- define "lib.name" -}}
lib-{{ .Chart.Name }}
{{- end -}}
{{- define "lib.image" -}}
{{ .reg }}/{{ .repo }}:{{ .tag }}
{{- end -}}
