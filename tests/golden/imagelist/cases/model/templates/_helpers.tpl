{{- define "lib.name" -}}
model-{{ .Chart.Name }}
{{- end -}}
