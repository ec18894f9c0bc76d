{{- define "sentiment-api.fullname" -}}
{{ .Release.Name }}-sentiment-api
{{- end }}
{{- define "sentiment-api.labels" -}}
app.kubernetes.io/name: sentiment-api
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
