{{- define "webapp.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 -}}
{{- end -}}

{{- define "webapp.image" -}}
{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "common.image" -}}
{{- $registry := .registry | default "docker.io" -}}
{{- if .digest -}}
{{ $registry }}/{{ .repository }}@{{ .digest }}
{{- else -}}
{{ $registry }}/{{ .repository }}:{{ .tag }}
{{- end -}}
{{- end -}}
